import { ToolField, buildArguments, enumKey, initialValue, parseArgumentsJson, planToolForm } from './tool-form';

describe('planToolForm', () => {
  it('turns simple properties into typed fields', () => {
    const plan = planToolForm({
      type: 'object',
      properties: {
        message: { type: 'string', description: 'Message to echo' },
        count: { type: 'integer', default: 3 },
        ratio: { type: 'number' },
        loud: { type: 'boolean' },
        city: { type: 'string', enum: ['New York', 'Chicago'] },
        tags: { type: 'array', items: { type: 'string' } },
        note: { type: ['string', 'null'], title: 'A note' },
        choice: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      },
      required: ['message', 'city'],
    });
    expect(plan.jsonOnly).toBe(false);
    expect(plan.fields.map((field) => [field.name, field.kind, field.required, field.label])).toEqual([
      ['message', 'string', true, 'message'],
      ['count', 'integer', false, 'count'],
      ['ratio', 'number', false, 'ratio'],
      ['loud', 'boolean', false, 'loud'],
      ['city', 'enum', true, 'city'],
      ['tags', 'json', false, 'tags'],
      ['note', 'string', false, 'A note'],
      ['choice', 'json', false, 'choice'],
    ]);
    expect(plan.fields[0]?.description).toBe('Message to echo');
    expect(plan.fields[4]?.options).toEqual(['New York', 'Chicago']);
  });

  it.each([
    [undefined, true],
    [{ type: 'object', properties: {} }, false],
    [{ type: 'object' }, false],
    [{ oneOf: [{ type: 'object' }] }, true],
    [{ type: 'string' }, true],
  ])('schema %j → JSON only: %s', (schema, jsonOnly) => {
    expect(planToolForm(schema).jsonOnly).toBe(jsonOnly);
  });
});

describe('initialValue', () => {
  const field = (overrides: Partial<ToolField>): ToolField => ({
    name: 'x',
    label: 'x',
    kind: 'string',
    required: false,
    description: null,
    options: [],
    defaultValue: undefined,
    schema: {},
    ...overrides,
  });
  it.each<[Partial<ToolField>, string | boolean]>([
    [{ kind: 'string' }, ''],
    [{ kind: 'string', defaultValue: 'README.md.gz' }, 'README.md.gz'],
    [{ kind: 'number', defaultValue: 10 }, '10'],
    [{ kind: 'boolean' }, false],
    [{ kind: 'boolean', defaultValue: true }, true],
    [{ kind: 'enum', defaultValue: 'Text' }, '"Text"'],
    [{ kind: 'json', defaultValue: ['a'] }, '[\n  "a"\n]'],
  ])('%j → %j', (overrides, expected) => expect(initialValue(field(overrides))).toEqual(expected));
});

describe('buildArguments', () => {
  const { fields } = planToolForm({
    type: 'object',
    properties: {
      message: { type: 'string' },
      count: { type: 'integer' },
      ratio: { type: 'number' },
      loud: { type: 'boolean' },
      quiet: { type: 'boolean', default: true },
      city: { enum: ['New York', 3] },
      tags: { type: 'array' },
    },
    required: ['message'],
  });

  it('converts each kind and leaves out empty optional fields', () => {
    expect(
      buildArguments(fields, {
        message: 'hi',
        count: ' 4 ',
        ratio: '0.5',
        loud: true,
        quiet: true,
        city: enumKey(3),
        tags: '["a", "b"]',
      }),
    ).toEqual({ ok: true, arguments: { message: 'hi', count: 4, ratio: 0.5, loud: true, city: 3, tags: ['a', 'b'] } });

    expect(buildArguments(fields, { message: 'hi', count: '', loud: false, quiet: false, city: '', tags: '' })).toEqual({
      ok: true,
      arguments: { message: 'hi', quiet: false },
    });
  });

  it('names every field it cannot use', () => {
    expect(buildArguments(fields, { message: '  ', count: '1.5', ratio: 'abc', tags: '[oops' })).toEqual({
      ok: false,
      errors: {
        message: 'Required',
        count: 'Must be a whole number',
        ratio: 'Not a number',
        tags: expect.stringMatching(/^Not valid JSON: /),
      },
    });
  });
});

describe('parseArgumentsJson', () => {
  it.each([
    ['', { ok: true, arguments: {} }],
    ['{"message":"hi"}', { ok: true, arguments: { message: 'hi' } }],
    ['[1]', { ok: false, errors: { json: 'Arguments must be a JSON object, like {"message": "hi"}' } }],
  ])('%j', (text, expected) => expect(parseArgumentsJson(text)).toEqual(expected));

  it('reports bad JSON', () => {
    const result = parseArgumentsJson('{');
    expect(result.ok).toBe(false);
  });
});
