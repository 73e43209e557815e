import { groupUri, groupUriTemplate, memberUri } from './resource-uris';

describe('group resource URIs', () => {
  it.each([
    'demo://resource/static/document/architecture.md',
    'test://static-text',
    'file:///tmp/a b.txt',
    'https://x.example/p?q=1#f',
    'weird:/a/%2F',
  ])('round-trips %s', (uri) => {
    const rewritten = groupUri('everything', uri);
    expect(rewritten).toMatch(/^mcp-group:\/\/everything\/[^/]+$/);
    expect(memberUri(rewritten)).toEqual({ service: 'everything', uri });
  });

  it.each(['demo://x', 'mcp-group://', 'mcp-group:///x', 'mcp-group://svc/%E0%A4%A'])('refuses %s', (uri) => {
    expect(memberUri(uri)).toBeNull();
  });

  it('keeps template expressions, so an expanded template maps back to the member’s own URI', () => {
    const template = groupUriTemplate('everything', 'demo://resource/dynamic/{id}');
    expect(template).toBe('mcp-group://everything/demo%3A%2F%2Fresource%2Fdynamic%2F{id}');
    const expanded = template.replace('{id}', '42');
    expect(memberUri(expanded)).toEqual({ service: 'everything', uri: 'demo://resource/dynamic/42' });
  });
});
