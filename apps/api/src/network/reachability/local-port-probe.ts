import { Injectable } from '@nestjs/common';
import { connect } from 'node:net';

/** Whether something on this machine accepts TCP connections on a port, behind a class a test can replace. */
@Injectable()
export class LocalPortProbe {
  isListening(host: string, port: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const done = (listening: boolean): void => {
        socket.destroy();
        resolve(listening);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  }
}
