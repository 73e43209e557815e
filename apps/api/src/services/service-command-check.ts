import { BadRequestException, Injectable } from '@nestjs/common';
import type { CreateServiceDto, ServiceView, UpdateServiceDto } from '@mcp-proxy/shared/dto';
import { RuntimeUnavailableError } from '../supervisor/runtimes/runtime-errors';
import { ServiceCommands } from '../supervisor/runtimes/service-commands';
import { ChildSandbox } from '../supervisor/sandbox/child-sandbox';

type CheckContext = Parameters<ServiceCommands['check']>[2];

/**
 * Refuses, when a service is created or its command changed through the API, a command this host
 * cannot run: `uvx` with neither uv nor a stand-in, `docker run` with no engine that answers, a
 * virtualenv whose Python is gone. A 400 naming `process.command` and what to install, rather than a
 * service that fails at its first start. (A configuration file applied at start-up is not refused:
 * its services report the same reason when they start.)
 */
@Injectable()
export class ServiceCommandCheck {
  constructor(
    private readonly commands: ServiceCommands,
    private readonly sandbox: ChildSandbox,
  ) {}

  async onCreate(dto: CreateServiceDto): Promise<void> {
    const command = dto.process?.command;
    if (!command || dto.transport === 'remote') return;
    await this.check(command, dto.process?.args ?? [], {
      serviceName: dto.name,
      transport: dto.transport ?? 'stdio',
      cwd: dto.process?.cwd ?? null,
      ownUser: this.sandbox.runsAsOwnUser(dto.process?.sandbox?.user),
    });
  }

  /** Only when the command, its arguments or the transport change: a service saved earlier is not refused for the host it runs on now. */
  async onUpdate(current: ServiceView, dto: UpdateServiceDto): Promise<void> {
    if (dto.process?.command === undefined && dto.process?.args === undefined && dto.transport === undefined) return;
    const command = dto.process?.command ?? current.process.command;
    const transport = dto.transport ?? current.transport;
    if (!command || transport === 'remote') return;
    await this.check(command, dto.process?.args ?? current.process.args, {
      serviceName: current.name,
      transport,
      cwd: dto.process?.cwd ?? current.process.cwd,
      ownUser: this.sandbox.runsAsOwnUser(dto.process?.sandbox?.user ?? current.process.sandbox?.user),
    });
  }

  private async check(command: string, args: string[], context: CheckContext): Promise<void> {
    try {
      await this.commands.check(command, args, context);
    } catch (error) {
      if (error instanceof RuntimeUnavailableError)
        throw new BadRequestException({ statusCode: 400, message: [`process.command: ${error.message}`], error: 'Bad Request' });
      throw error;
    }
  }
}
