import { effectiveLimits, EffectiveLimits } from './effective-limits';

const DEFAULTS: EffectiveLimits = {
  memoryMb: 2048,
  cpuPercent: 0,
  maxProcesses: 512,
  maxOpenFiles: 4096,
  cpuSeconds: 0,
  addressSpaceMb: 0,
};

describe('effectiveLimits', () => {
  it.each([
    ['a row older than limits takes every default', undefined, DEFAULTS],
    ['null takes the default', { memoryMb: null, maxProcesses: null }, DEFAULTS],
    ['a value wins over the default', { memoryMb: 256, cpuSeconds: 60 }, { ...DEFAULTS, memoryMb: 256, cpuSeconds: 60 }],
    ['0 turns a default limit off', { maxProcesses: 0 }, { ...DEFAULTS, maxProcesses: 0 }],
  ])('%s', (_title, service, expected) => {
    expect(effectiveLimits(service, DEFAULTS)).toEqual(expected);
  });
});
