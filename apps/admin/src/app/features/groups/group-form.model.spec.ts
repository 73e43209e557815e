import { groupView } from '../../testing/fixtures';
import {
  createGroupBody,
  emptyGroupForm,
  emptyMember,
  groupFieldPaths,
  groupFormFromView,
  moveItem,
  parseNameList,
  renamesFromRows,
  updateGroupBody,
} from './group-form.model';

describe('parseNameList', () => {
  it.each([
    ['', []],
    ['echo', ['echo']],
    ['echo\nget-*\n\n', ['echo', 'get-*']],
    [' echo , get-sum ,echo', ['echo', 'get-sum']],
  ])('%j → %j', (text, expected) => expect(parseNameList(text)).toEqual(expected));
});

describe('renamesFromRows', () => {
  it('keeps rows that rename or describe, by the member’s own name', () => {
    expect(
      renamesFromRows([
        { original: 'echo', name: 'say', description: '' },
        { original: 'get-sum', name: '', description: 'Adds two numbers' },
        { original: 'noop', name: ' ', description: '' },
        { original: ' ', name: 'ignored', description: '' },
      ]),
    ).toEqual({ echo: { name: 'say' }, 'get-sum': { description: 'Adds two numbers' } });
  });
});

describe('group bodies', () => {
  const value = {
    ...emptyGroupForm(),
    name: ' team ',
    separator: '',
    members: [
      { ...emptyMember('everything'), allow: 'echo\nget-*', renames: [{ original: 'echo', name: 'say', description: '' }] },
      { ...emptyMember('weather'), deny: 'debug-*' },
    ],
    deny: 'weather__debug',
    settings: { rateLimit: 30, requestTimeoutSec: null, memberTimeoutSec: 10, responseMode: 'json' as const, toolSearch: true },
  };

  it('creates with the members in order, lists parsed, the default separator and only the numbers given', () => {
    expect(createGroupBody(value)).toEqual({
      name: 'team',
      enabled: true,
      separator: '__',
      members: [
        { service: 'everything', allow: ['echo', 'get-*'], deny: [], renames: { echo: { name: 'say' } } },
        { service: 'weather', allow: [], deny: ['debug-*'], renames: {} },
      ],
      allow: [],
      deny: ['weather__debug'],
      settings: { rateLimit: 30, memberTimeoutSec: 10, responseMode: 'json', toolSearch: true },
    });
  });

  it('updates everything but the name', () => {
    const body = updateGroupBody(value);
    expect(body).not.toHaveProperty('name');
    expect(body.members.map((member) => member.service)).toEqual(['everything', 'weather']);
  });

  it('round-trips a stored group through the form', () => {
    const group = groupView({
      members: [
        {
          serviceId: 's1',
          serviceName: 'everything',
          allow: ['echo'],
          deny: [],
          renames: { echo: { name: 'say', description: 'Says it' } },
        },
      ],
      allow: ['everything__*'],
    });
    const form = groupFormFromView(group);
    expect(form.members[0]).toEqual({
      service: 'everything',
      allow: 'echo',
      deny: '',
      renames: [{ original: 'echo', name: 'say', description: 'Says it' }],
    });
    expect(updateGroupBody(form)).toEqual({
      enabled: true,
      separator: '__',
      members: [{ service: 'everything', allow: ['echo'], deny: [], renames: { echo: { name: 'say', description: 'Says it' } } }],
      allow: ['everything__*'],
      deny: [],
      settings: group.settings,
    });
  });
});

describe('groupFieldPaths and moveItem', () => {
  it('names every member field the API may refer to', () => {
    expect(groupFieldPaths(2)).toEqual(
      expect.arrayContaining(['name', 'settings.memberTimeoutSec', 'members.0.service', 'members.1.deny']),
    );
  });

  it.each([
    [0, 1, ['b', 'a', 'c']],
    [2, 0, ['c', 'a', 'b']],
    [1, 5, ['a', 'c', 'b']],
    [5, 0, ['a', 'b', 'c']],
  ])('moves %i to %i', (from, to, expected) => expect(moveItem(['a', 'b', 'c'], from, to)).toEqual(expected));
});
