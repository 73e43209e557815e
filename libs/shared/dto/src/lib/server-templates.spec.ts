import { SERVER_TEMPLATES, ServerTemplate, missingTemplateValues, serviceFromTemplate } from './server-templates';

const template = (id: string): ServerTemplate => {
  const found = SERVER_TEMPLATES.find((item) => item.id === id);
  if (!found) throw new Error(id);
  return found;
};

describe('server templates', () => {
  it('cover the reference servers, each with a runner, a package and labelled variables', () => {
    expect(SERVER_TEMPLATES.map((item) => item.id)).toEqual([
      'everything',
      'filesystem',
      'memory',
      'fetch',
      'git',
      'sequential-thinking',
      'time',
    ]);
    for (const item of SERVER_TEMPLATES) {
      expect(item.command).toBe(item.runtime);
      expect(item.args.join(' ')).toContain(item.package);
      for (const variable of item.variables) expect(variable.label).not.toBe('');
    }
  });

  it.each<[string, Record<string, string>, string[], Record<string, string> | undefined]>([
    ['everything', {}, ['-y', '@modelcontextprotocol/server-everything', 'stdio'], undefined],
    ['filesystem', { directory: ' /srv/shared ' }, ['-y', '@modelcontextprotocol/server-filesystem', '/srv/shared'], undefined],
    [
      'memory',
      { MEMORY_FILE_PATH: '/var/mem.jsonl' },
      ['-y', '@modelcontextprotocol/server-memory'],
      { MEMORY_FILE_PATH: '/var/mem.jsonl' },
    ],
    ['git', { repository: '/srv/repo' }, ['mcp-server-git', '--repository', '/srv/repo'], undefined],
    ['time', { timezone: 'Europe/Paris' }, ['mcp-server-time', '--local-timezone=Europe/Paris'], undefined],
    ['time', { timezone: '' }, ['mcp-server-time'], undefined],
  ])('%s with %j runs %j', (id, values, args, environment) => {
    const body = serviceFromTemplate(template(id), { name: id, values, start: true });
    expect(body.process?.args).toEqual(args);
    expect(body.environment).toEqual(environment);
    expect(body.start).toBe(true);
  });

  it('names the required variables still missing', () => {
    expect(missingTemplateValues(template('git'), {})).toEqual(['Repository path']);
    expect(missingTemplateValues(template('git'), { repository: '/srv/repo' })).toEqual([]);
    expect(missingTemplateValues(template('time'), {})).toEqual([]);
  });

  it('sets the working directory only when given', () => {
    expect(serviceFromTemplate(template('everything'), { name: 'e', values: {}, start: false, cwd: ' /work ' }).process?.cwd).toBe('/work');
    expect(serviceFromTemplate(template('everything'), { name: 'e', values: {}, start: false, cwd: '' }).process).not.toHaveProperty('cwd');
  });
});
