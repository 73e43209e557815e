import { healthView } from '../../testing/fixtures';
import { healthSummary } from './health-summary';

describe('healthSummary', () => {
  it('says OK with no reasons when nothing is wrong', () => {
    expect(healthSummary(healthView())).toEqual({
      label: 'OK',
      degraded: false,
      reasons: [],
      hidden: 0,
    });
  });

  it('says Degraded with one line per problem, and counts those the user may not see', () => {
    const summary = healthSummary(
      healthView({
        status: 'degraded',
        problemCounts: { service: 2, certificate: 1, upnp: 0, deploy: 0 },
        problems: [
          {
            kind: 'service',
            name: 'everything',
            status: 'crashed',
            reason: 'gave up after 5 restarts within 60 s: exited with code 1',
          },
          {
            kind: 'certificate',
            name: 'mcp.example.org',
            status: 'renewal-failed',
            reason: '1 failed attempt: rate limited',
          },
        ],
      }),
    );
    expect(summary).toEqual({
      label: 'Degraded',
      degraded: true,
      reasons: [
        'Service everything crashed: gave up after 5 restarts within 60 s: exited with code 1',
        'Certificate mcp.example.org renewal failed: 1 failed attempt: rate limited',
      ],
      hidden: 1,
    });
  });
});
