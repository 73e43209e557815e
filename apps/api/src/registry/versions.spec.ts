import { isNewerVersion } from './versions';

describe('whether the registry has a newer version', () => {
  it.each([
    ['1.2.4', '1.2.3', true],
    ['1.10.0', '1.9.9', true],
    ['1.2.3', '1.2.3', false],
    ['1.2.2', '1.2.3', false],
    ['1.0.0', '1.0.0-rc.1', true],
    ['1.0.0-rc.2', '1.0.0-rc.10', false],
    ['1.0.0-beta', '1.0.0-alpha', true],
    ['2026.8.31', '2025.12.1', true],
    ['1.0.0+build.5', '1.0.0', false],
    ['release-b', 'release-a', true],
    ['same', 'same', false],
  ])('%s over %s: %s', (candidate, installed, expected) => {
    expect(isNewerVersion(candidate, installed)).toBe(expected);
  });
});
