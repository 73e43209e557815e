import { serviceView } from '../../testing/fixtures';
import { limitRows } from './service-limits.model';

describe('limitRows', () => {
  it('shows configured values, defaults and "none", beside what the last child ran with', () => {
    const service = serviceView({
      process: {
        ...serviceView().process,
        limits: { memoryMb: 256, cpuPercent: null, maxProcesses: 0, maxOpenFiles: null, cpuSeconds: null, addressSpaceMb: null },
      },
      sandbox: {
        user: 'mcp-200001',
        uid: 200001,
        filesystem: 'none',
        limits: { memoryMb: 256, cpuPercent: 0, maxProcesses: 0, maxOpenFiles: 4096, cpuSeconds: 0, addressSpaceMb: 0 },
        applied: [],
        notApplied: [],
      },
    });
    const rows = limitRows(service);
    expect(rows[0]).toEqual({ label: 'Memory', configured: '256 MB', inForce: '256 MB' });
    expect(rows[1]).toEqual({ label: 'CPU', configured: 'default', inForce: 'none' });
    expect(rows[2]).toEqual({ label: 'Processes', configured: 'none', inForce: 'none' });
    expect(rows[3]).toEqual({ label: 'Open files', configured: 'default', inForce: '4096 per process' });
  });

  it('has nothing in force for a service that never ran, and treats rows older than limits as defaults', () => {
    const rows = limitRows(serviceView({ sandbox: null }));
    expect(rows.every((row) => row.configured === 'default' && row.inForce === null)).toBe(true);
  });
});
