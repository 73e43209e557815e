import { Injectable } from '@nestjs/common';
import { SERVER_TEMPLATES, ServerTemplateView } from '@mcp-proxy/shared/dto';
import { RuntimeUnavailableError } from '../supervisor/runtimes/runtime-errors';
import { ServiceCommands } from '../supervisor/runtimes/service-commands';

/**
 * The ready templates with whether this host can run each (a `uvx` template needs uv, pipx or a Python 3
 * with venv): the gallery says so before the user fills a form that the create would refuse.
 */
@Injectable()
export class TemplatesService {
  constructor(private readonly commands: ServiceCommands) {}

  list(): Promise<ServerTemplateView[]> {
    return Promise.all(
      SERVER_TEMPLATES.map(async (template) => {
        const unavailableReason = await this.problemOf(template.id, template.command, template.args);
        return { ...template, available: unavailableReason === null, unavailableReason };
      }),
    );
  }

  private async problemOf(serviceName: string, command: string, args: string[]): Promise<string | null> {
    try {
      await this.commands.check(command, args, { serviceName, transport: 'stdio', cwd: null, ownUser: false });
      return null;
    } catch (error) {
      if (error instanceof RuntimeUnavailableError) return error.message;
      throw error;
    }
  }
}
