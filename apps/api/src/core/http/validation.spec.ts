import { CreateServiceDto } from '@mcp-proxy/shared/dto';
import { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { createValidationPipe } from './validation';

const metadata: ArgumentMetadata = { type: 'body', metatype: CreateServiceDto };

async function messagesFor(body: unknown): Promise<string[]> {
  try {
    await createValidationPipe().transform(body, metadata);
    return [];
  } catch (error) {
    return ((error as BadRequestException).getResponse() as { message: string[] }).message;
  }
}

describe('validation pipe', () => {
  it.each([
    [{ name: 'ok', process: { command: 5 } }, ['process.command must be a string']],
    [{ name: 'ok', process: { command: 'x', args: 'a b' } }, ['process.args must be an array']],
    [
      { name: 'ok', repository: { url: 'ftp://x/y' } },
      ['repository.url must be an http(s) URL without credentials (set GITHUB_TOKEN for private repositories)'],
    ],
    [{ name: 'ok' }, ['repository or process.command is required']],
    [{ name: 'Bad', process: { command: 'x' } }, [expect.stringMatching(/^name must be 1-63 lowercase/)]],
    [{ name: 'health', process: { command: 'x' } }, [expect.stringMatching(/^name must not be a reserved word/)]],
    [{ name: 'ok', process: { command: 'x' }, proxy: { rateLimit: -1 } }, ['proxy.rateLimit must not be less than 0']],
    [
      { name: 'ok', process: { command: 'x' }, environment: { LD_PRELOAD: '/x.so' } },
      [expect.stringMatching(/^environment.LD_PRELOAD is not allowed/)],
    ],
    [{ name: 'ok', process: { command: 'x' }, environment: { A: 1 } }, ['environment.A must be a string']],
    [{ name: 'ok', process: { command: 'x' }, surprise: true }, ['surprise: property surprise should not exist']],
    [
      JSON.parse('{"name":"ok","process":{"command":"x"},"constructor":{"prototype":{"admin":true}}}'),
      ['constructor: property constructor should not exist'],
    ],
    [
      JSON.parse('{"name":"ok","process":{"command":"x","__proto__":{"admin":true}}}'),
      ['process.__proto__: property __proto__ should not exist'],
    ],
    [
      JSON.parse('{"name":"ok","process":{"command":"x"},"environment":{"prototype":"x"}}'),
      ['environment.prototype: property prototype should not exist'],
    ],
  ])('%o is refused naming the field', async (body, expected) => {
    expect(await messagesFor(body)).toEqual(expected);
  });

  it('accepts the contract example', async () => {
    expect(
      await messagesFor({
        name: 'everything',
        transport: 'stdio',
        process: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-everything'],
          cwd: null,
          autoRestart: true,
          maxRestarts: 5,
          port: null,
        },
        environment: { API_KEY: 'value' },
        proxy: { path: '/mcp/everything', rateLimit: 100, cache: true },
      }),
    ).toEqual([]);
  });
});
