import type { DeploymentSummaryView } from '@mcp-proxy/shared/dto';
import { formatDuration } from '../../shared/format/units';
import { deploymentSummary } from '../../testing/fixtures';
import { StepState, deploymentSteps, shortCommit, stepSummary, totalDuration } from './deployment-progress';

const NO_TIMES = { startedAt: null, finishedAt: null, cloneMs: null, installMs: null, buildMs: null, startMs: null };

function states(deployment: DeploymentSummaryView, failedAt: Parameters<typeof deploymentSteps>[1] = null): StepState[] {
  return deploymentSteps(deployment, failedAt).map((step) => step.state);
}

function at(
  status: DeploymentSummaryView['status'],
  timings: Partial<DeploymentSummaryView['timings']>,
  trigger: DeploymentSummaryView['trigger'] = 'api',
): DeploymentSummaryView {
  const base = deploymentSummary();
  return deploymentSummary({ status, trigger, timings: { ...base.timings, ...NO_TIMES, ...timings } });
}

describe('deploymentSteps', () => {
  it.each<[string, DeploymentSummaryView, StepState[]]>([
    ['queued', at('queued', {}), ['active', 'pending', 'pending', 'pending', 'pending']],
    [
      'building',
      at('building', { startedAt: '2026-01-01T00:00:00.500Z', cloneMs: 1200, installMs: 2000 }),
      ['done', 'done', 'done', 'active', 'pending'],
    ],
    [
      'starting a commit built before (install and build passed over)',
      at('starting', { startedAt: '2026-01-01T00:00:00.500Z', cloneMs: 1200 }),
      ['done', 'done', 'skipped', 'skipped', 'active'],
    ],
    ['succeeded', deploymentSummary(), ['done', 'done', 'done', 'done', 'done']],
    [
      'parked until its tool changes are approved (started and checked, not taken over)',
      at('awaiting-approval', { startedAt: '2026-01-01T00:00:00.500Z', cloneMs: 1200, installMs: 2000, buildMs: 300 }),
      ['done', 'done', 'done', 'done', 'active'],
    ],
    [
      'a succeeded rollback',
      at('succeeded', { startedAt: '2026-01-01T00:00:00.500Z', finishedAt: '2026-01-01T00:00:02.000Z', startMs: 900 }, 'rollback'),
      ['done', 'skipped', 'skipped', 'skipped', 'done'],
    ],
    [
      'failed, where unseen',
      at('failed', { startedAt: '2026-01-01T00:00:00.500Z', finishedAt: '2026-01-01T00:00:02.000Z', cloneMs: 190, installMs: 0 }),
      ['done', 'done', 'done', 'unfinished', 'unfinished'],
    ],
  ])('%s', (_, deployment, expected) => expect(states(deployment)).toEqual(expected));

  it('marks the step a failure was seen in, and what came after it as not reached', () => {
    const failed = at('failed', {
      startedAt: '2026-01-01T00:00:00.500Z',
      finishedAt: '2026-01-01T00:00:02.000Z',
      cloneMs: 190,
      installMs: 0,
    });
    expect(states(failed, 'building')).toEqual(['done', 'done', 'done', 'failed', 'pending']);
  });

  it('gives each finished step its time, the wait in the queue included', () => {
    expect(deploymentSteps(deploymentSummary()).map((step) => [step.label, step.durationMs])).toEqual([
      ['Queued', 500],
      ['Clone', 1200],
      ['Install', 2000],
      ['Build', 300],
      ['Start and check', 500],
    ]);
  });
});

describe('totalDuration, stepSummary, shortCommit', () => {
  it('measures from queued to finished, or to now while running', () => {
    expect(totalDuration(deploymentSummary(), 0)).toBe(5000);
    expect(totalDuration(at('cloning', {}), Date.parse('2026-01-01T00:00:03.000Z'))).toBe(3000);
  });

  it('summarises the timed steps', () => {
    expect(stepSummary(deploymentSummary(), formatDuration)).toBe('clone 1.2 s · install 2.0 s · build 300 ms · start 500 ms');
    expect(stepSummary(at('queued', {}), formatDuration)).toBe('');
  });

  it('shortens a commit like git does', () => {
    expect(shortCommit('b16d52bd13dacab6ca91a21554f10c49101d2709')).toBe('b16d52bd13da');
    expect(shortCommit(null)).toBe('—');
  });
});
