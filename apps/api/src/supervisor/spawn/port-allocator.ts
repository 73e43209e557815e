import { Injectable } from '@nestjs/common';
import { createServer } from 'node:net';

/** Finds a free port on the loopback interface for an `http` service that did not name one. */
@Injectable()
export class PortAllocator {
  freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => (port ? resolve(port) : reject(new Error('No free port on 127.0.0.1'))));
      });
    });
  }
}
