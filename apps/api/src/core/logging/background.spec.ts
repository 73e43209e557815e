import { Logger } from '@nestjs/common';
import { inBackground } from './background';

describe('inBackground', () => {
  it('logs a failure with its context and what it was doing, and leaves no unhandled rejection', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      inBackground(Promise.reject(new Error('socket gone')), 'Upstreams', 'Ending session s1');
      await new Promise((resolve) => setImmediate(resolve));
      expect(logged).toHaveBeenCalledWith('Ending session s1 failed: socket gone');
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
      logged.mockRestore();
    }
  });

  it('says nothing when the work succeeds', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    inBackground(Promise.resolve('done'), 'Upstreams', 'Anything');
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });
});
