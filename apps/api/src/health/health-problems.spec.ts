import type { Principal } from '../core/auth/principal';
import { HealthFacts, healthProblems, problemCounts, problemsVisibleTo } from './health-problems';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function facts(overrides: Partial<HealthFacts> = {}): HealthFacts {
  return {
    services: [],
    certificate: { enabled: false, domain: null, failures: 0, lastError: null },
    lostMappings: [],
    deployments: [],
    now: NOW,
    deployStepTimeoutMs: 600_000,
    deployAttempts: 3,
    ...overrides,
  };
}

describe('healthProblems', () => {
  it('finds nothing wrong when every wanted service runs', () => {
    expect(
      healthProblems(
        facts({
          services: [
            {
              id: 'a',
              name: 'alpha',
              status: 'running',
              statusReason: null,
              lastExitReason: null,
            },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    [
      'crashed',
      'gave up after 5 restarts within 60 s: exited with code 3: secret stderr line',
      'exited with code 3',
      'gave up after 5 restarts within 60 s: exited with code 3',
    ],
    ['failed', 'working directory /srv/x does not exist', null, 'working directory /srv/x does not exist'],
  ] as const)('reports a %s service with a short reason and no stderr tail', (status, statusReason, lastExitReason, reason) => {
    const problems = healthProblems(
      facts({
        services: [{ id: 'a', name: 'alpha', status, statusReason, lastExitReason }],
      }),
    );
    expect(problems).toEqual([
      {
        kind: 'service',
        name: 'alpha',
        status,
        reason,
        service: { id: 'a', name: 'alpha' },
      },
    ]);
  });

  it('ignores services that are starting, restarting or stopped', () => {
    const services = (['starting', 'restarting', 'stopped', 'deploying'] as const).map((status, index) => ({
      id: `${index}`,
      name: `s${index}`,
      status,
      statusReason: 'x',
      lastExitReason: null,
    }));
    expect(healthProblems(facts({ services }))).toEqual([]);
  });

  it('reports a failed certificate renewal only when HTTPS is on', () => {
    const certificate = {
      enabled: true,
      domain: 'mcp.example.org',
      failures: 2,
      lastError: 'ACME order failed: rateLimited',
    };
    expect(healthProblems(facts({ certificate }))).toEqual([
      {
        kind: 'certificate',
        name: 'mcp.example.org',
        status: 'renewal-failed',
        reason: '2 failed attempts: ACME order failed: rateLimited',
      },
    ]);
    expect(healthProblems(facts({ certificate: { ...certificate, enabled: false } }))).toEqual([]);
  });

  it('reports a lost UPnP mapping', () => {
    expect(
      healthProblems(
        facts({
          lostMappings: [
            {
              name: 'https 8443',
              reason: 'lost contact with the UPnP gateway: timeout',
            },
          ],
        }),
      ),
    ).toEqual([
      {
        kind: 'upnp',
        name: 'https 8443',
        status: 'lease-lost',
        reason: 'lost contact with the UPnP gateway: timeout',
      },
    ]);
  });

  it('calls a deployment stuck only far past what its attempts and steps may take', () => {
    const limitMs = 600_000 * 5 * 3;
    const deployment = (ageMs: number) => ({
      serviceId: 'a',
      serviceName: 'alpha',
      status: 'building',
      startedAt: new Date(NOW - ageMs),
    });
    expect(
      healthProblems(
        facts({
          deployments: [deployment(limitMs - 1000), { ...deployment(limitMs * 2), startedAt: null }],
        }),
      ),
    ).toEqual([]);
    const [stuck] = healthProblems(facts({ deployments: [deployment(limitMs + 60_000)] }));
    expect(stuck).toMatchObject({
      kind: 'deploy',
      name: 'alpha',
      status: 'stuck',
      service: { id: 'a', name: 'alpha' },
    });
    expect(stuck?.reason).toMatch(/^building for 151 min/);
  });

  it('cuts a long reason to one short line', () => {
    const [problem] = healthProblems(
      facts({
        services: [
          {
            id: 'a',
            name: 'alpha',
            status: 'failed',
            statusReason: `${'x'.repeat(500)}\nsecond line`,
            lastExitReason: null,
          },
        ],
      }),
    );
    expect(problem?.reason.length).toBe(200);
    expect(problem?.reason).not.toContain('second line');
  });
});

describe('problemsVisibleTo', () => {
  const problems = healthProblems(
    facts({
      services: [
        {
          id: 'a',
          name: 'alpha',
          status: 'crashed',
          statusReason: 'x',
          lastExitReason: null,
        },
        {
          id: 'b',
          name: 'beta',
          status: 'failed',
          statusReason: 'y',
          lastExitReason: null,
        },
      ],
      lostMappings: [{ name: 'api 3000', reason: 'gone' }],
    }),
  );

  it('counts every problem by kind', () => {
    expect(problemCounts(problems)).toEqual({
      service: 2,
      certificate: 0,
      upnp: 1,
      deploy: 0,
    });
  });

  it('shows an anonymous caller nothing but the counts', () => {
    expect(problemsVisibleTo(undefined, problems)).toBeUndefined();
  });

  it('shows a limited user the problems of their services and those about no service', () => {
    const limited: Principal = {
      kind: 'user',
      id: 'user:1',
      role: 'viewer',
      scope: { services: ['alpha'] },
    };
    expect(problemsVisibleTo(limited, problems)?.map((problem) => problem.name)).toEqual(['alpha', 'api 3000']);
    const admin: Principal = { kind: 'admin', id: 'admin', role: 'admin' };
    expect(problemsVisibleTo(admin, problems)?.map((problem) => problem.name)).toEqual(['alpha', 'beta', 'api 3000']);
    for (const problem of problemsVisibleTo(admin, problems) ?? [])
      expect(Object.keys(problem).sort()).toEqual(['kind', 'name', 'reason', 'status']);
  });
});
