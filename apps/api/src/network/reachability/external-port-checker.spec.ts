import { FetchedText, HttpFetcher } from '../ip/http-fetcher';
import { checkerUrl, ExternalPortChecker } from './external-port-checker';

class FakeHttp extends HttpFetcher {
  readonly asked: string[] = [];
  constructor(private readonly answer: (url: string) => FetchedText) {
    super();
  }
  override async getText(url: string): Promise<FetchedText> {
    this.asked.push(url);
    return this.answer(url);
  }
}

const json = (body: unknown, status = 200): FetchedText => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

describe('checkerUrl', () => {
  it.each([
    ['https://check.example/tcp/{host}/{port}', 'https://check.example/tcp/203.0.113.7/8437'],
    ['https://check.example/check?target={host}:{port}&p={protocol}', 'https://check.example/check?target=203.0.113.7:8437&p=tcp'],
    ['https://check.example/check', 'https://check.example/check?host=203.0.113.7&port=8437&protocol=tcp'],
    ['https://check.example/check?key=abc', 'https://check.example/check?key=abc&host=203.0.113.7&port=8437&protocol=tcp'],
  ])('%s', (template, expected) => {
    expect(checkerUrl(template, '203.0.113.7', 8437)).toBe(expected);
  });
});

describe('ExternalPortChecker', () => {
  it.each([
    [{ reachable: true }, true],
    [{ reachable: false }, false],
    [{ open: true }, true],
  ])('reads %j', async (body, reachable) => {
    const checker = new ExternalPortChecker(new FakeHttp(() => json(body)));
    expect(await checker.check(['https://check.example/c?key=secret'], '203.0.113.7', 8437, 1000)).toEqual({
      reachable,
      checker: 'https://check.example',
    });
  });

  it('tries the next checker when one fails, and is unknown (not closed) when none answers', async () => {
    const http = new FakeHttp((url) => (url.startsWith('https://a') ? json({}, 502) : json({ status: 'maybe' })));
    const verdict = await new ExternalPortChecker(http).check(['https://a.example/c', 'https://b.example/c'], '203.0.113.7', 8437, 1000);
    expect(http.asked).toHaveLength(2);
    expect(verdict).toEqual({
      reachable: null,
      reason: 'no external checker answered (https://a.example: HTTP 502; https://b.example: the answer has no boolean "reachable")',
    });
  });

  it('is unknown when no checker is configured', async () => {
    expect(await new ExternalPortChecker(new FakeHttp(() => json({}))).check([], '203.0.113.7', 8437, 1000)).toEqual({
      reachable: null,
      reason: expect.stringMatching(/PORT_CHECK_URLS/),
    });
  });
});
