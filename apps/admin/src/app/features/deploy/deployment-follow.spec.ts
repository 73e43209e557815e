import { deploymentSummary, deploymentView } from '../../testing/fixtures';
import { EMPTY_FOLLOW, applyChannel, applyRest, lineKind, logLines } from './deployment-follow';

describe('following a deployment', () => {
  const building = deploymentSummary({ status: 'building' });
  const failed = deploymentSummary({ status: 'failed', error: 'build failed' });

  it('shows the REST snapshot until the channel speaks, then the channel’s snapshot replaces it', () => {
    let state = applyRest(EMPTY_FOLLOW, deploymentView({ status: 'cloning', log: '==> deploying\nCloning…' }));
    expect(state.lines).toEqual(['==> deploying', 'Cloning…']);
    expect(state.source).toBe('rest');

    state = applyChannel(state, { kind: 'snapshot' });
    state = applyChannel(state, { kind: 'deployment', deployment: building });
    state = applyChannel(state, { kind: 'lines', lines: ['==> deploying', 'Cloning…', '==> cloned'] });
    expect(state.lines).toEqual(['==> deploying', 'Cloning…', '==> cloned']);
    expect(state.deployment?.status).toBe('building');

    state = applyChannel(state, { kind: 'lines', lines: ['$ npm run build'] });
    expect(state.lines).toHaveLength(4);
  });

  it('ignores a REST answer that arrives after live news', () => {
    let state = applyChannel(EMPTY_FOLLOW, { kind: 'snapshot' });
    state = applyChannel(state, { kind: 'deployment', deployment: building });
    state = applyChannel(state, { kind: 'lines', lines: ['a', 'b'] });
    const after = applyRest(state, deploymentView({ status: 'queued', log: 'a' }));
    expect(after).toBe(state);
  });

  it('starts over at each resubscription instead of showing lines twice', () => {
    let state = applyChannel(EMPTY_FOLLOW, { kind: 'snapshot' });
    state = applyChannel(state, { kind: 'lines', lines: ['a', 'b'] });
    state = applyChannel(state, { kind: 'snapshot' });
    state = applyChannel(state, { kind: 'lines', lines: ['a', 'b', 'c'] });
    expect(state.lines).toEqual(['a', 'b', 'c']);
  });

  it('remembers the last step seen, which `failed` no longer says', () => {
    let state = applyChannel(EMPTY_FOLLOW, { kind: 'deployment', deployment: building });
    state = applyChannel(state, { kind: 'deployment', deployment: failed });
    expect(state.lastStep).toBe('building');
    expect(state.deployment?.error).toBe('build failed');
  });

  it('keeps what the channel refused', () => {
    expect(applyChannel(EMPTY_FOLLOW, { kind: 'error', message: 'deployment "x" not found' }).channelError).toBe(
      'deployment "x" not found',
    );
  });
});

describe('logLines and lineKind', () => {
  it('splits a stored log', () => {
    expect(logLines('')).toEqual([]);
    expect(logLines('a\nb')).toEqual(['a', 'b']);
  });

  it.each([
    ['==> cloned abc (main)', 'step'],
    ['==> failed: build failed', 'failure'],
    ['npm warn deprecated', 'output'],
  ])('%s is %s', (line, kind) => expect(lineKind(line)).toBe(kind));
});
