import { FetchedText, HttpFetcher } from './http-fetcher';
import { addressIn, PublicIpLookup } from './public-ip-lookup';

class FakeHttp extends HttpFetcher {
  readonly asked: string[] = [];
  constructor(private readonly answers: Record<string, FetchedText | Error>) {
    super();
  }
  override async getText(url: string): Promise<FetchedText> {
    this.asked.push(url);
    const answer = this.answers[url];
    if (!answer) throw new Error('ECONNREFUSED');
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

const text = (body: string, status = 200): FetchedText => ({ status, contentType: 'text/plain', body });

describe('addressIn', () => {
  it.each([
    ['203.0.113.7\n', '203.0.113.7'],
    ['  2001:db8::1  ', '2001:db8::1'],
    ['{"ip":"198.51.100.4"}', '198.51.100.4'],
    ['{"address":"198.51.100.4"}', null],
    ['<html>203.0.113.7</html>', null],
    ['', null],
  ])('%j → %s', (body, expected) => {
    expect(addressIn(body)).toBe(expected);
  });
});

describe('PublicIpLookup', () => {
  it('asks in order and stops at the first address', async () => {
    const http = new FakeHttp({ 'http://b/ip': text('{"ip":"203.0.113.7"}'), 'http://c/ip': text('198.51.100.1') });
    const result = await new PublicIpLookup(http).lookup(['http://a/ip', 'http://b/ip', 'http://c/ip'], 1000);
    expect(result).toEqual({ ip: '203.0.113.7', url: 'http://b/ip' });
    expect(http.asked).toEqual(['http://a/ip', 'http://b/ip']);
  });

  it('says why each endpoint failed when none gives an address', async () => {
    const http = new FakeHttp({
      'http://a/ip': text('busy', 503),
      'http://b/ip': text('hello'),
      'http://c/ip': new Error('no answer within 1000 ms'),
    });
    const result = await new PublicIpLookup(http).lookup(['http://a/ip', 'http://b/ip', 'http://c/ip'], 1000);
    expect(result).toEqual({
      ip: null,
      reason:
        'no "what is my IP" endpoint answered (http://a/ip: HTTP 503; http://b/ip: the answer holds no IP address; http://c/ip: no answer within 1000 ms)',
    });
  });

  it('says so when none is configured', async () => {
    expect(await new PublicIpLookup(new FakeHttp({})).lookup([], 1000)).toEqual({
      ip: null,
      reason: expect.stringMatching(/PUBLIC_IP_URLS/),
    });
  });
});
