import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  cacheLifetime,
  documentUrl,
  fetchDocument,
  isDocumentClientId,
  MAX_CONCURRENT_FETCHES,
  storedIdFor,
} from './client-metadata-document';

describe('client ID metadata document rules', () => {
  it('accepts https URLs with a path, and http on loopback only when allowed', () => {
    expect(documentUrl('https://app.example.com/oauth/client.json', false).host).toBe('app.example.com');
    expect(() => documentUrl('http://127.0.0.1:8080/client.json', false)).toThrow(/only https/);
    expect(() => documentUrl('https://127.0.0.1/client.json', false)).toThrow(/private or reserved/);
    expect(documentUrl('http://127.0.0.1:8080/client.json', true).port).toBe('8080');
    expect(() => documentUrl('http://example.com/client.json', true)).toThrow(/only https/);
  });

  it('refuses private targets, missing paths, dot segments, fragments and credentials', () => {
    for (const url of [
      'https://10.1.2.3/c',
      'https://192.168.1.1/c',
      'https://[::ffff:10.0.0.1]/c',
      'https://[fe80::1]/c',
      'https://example.com',
      'https://example.com/a/../b',
      'https://example.com/c#f',
      'https://u@example.com/c',
    ]) {
      expect(() => documentUrl(url, true)).toThrow(/not an allowed metadata document URL/);
    }
  });

  it('maps a URL to a stable stored id that no registered (v4) client can have', () => {
    const id = storedIdFor('https://app.example.com/client.json');
    expect(id).toBe(storedIdFor('https://app.example.com/client.json'));
    expect(id).not.toBe(storedIdFor('https://app.example.com/other.json'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isDocumentClientId('https://a.example/c')).toBe(true);
    expect(isDocumentClientId(id)).toBe(false);
  });

  it('caches within bounds of Cache-Control', () => {
    expect(cacheLifetime(undefined)).toBe(5 * 60_000);
    expect(cacheLifetime('max-age=5')).toBe(60_000);
    expect(cacheLifetime('public, max-age=600')).toBe(600_000);
    expect(cacheLifetime('max-age=99999999')).toBe(24 * 60 * 60_000);
    expect(cacheLifetime('no-store')).toBe(60_000);
  });

  it('refuses a fetch at once while MAX_CONCURRENT_FETCHES are in flight', async () => {
    let answer = false;
    let seen = 0;
    const silent = createServer((request, response) => {
      seen++;
      if (answer) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/client.json`);
    try {
      const held = Array.from({ length: MAX_CONCURRENT_FETCHES }, () => fetchDocument(url, true).catch((error: unknown) => error));
      await expect(fetchDocument(url, true)).rejects.toMatchObject({ error: 'temporarily_unavailable', status: 503 });
      while (seen < MAX_CONCURRENT_FETCHES) await new Promise((resolve) => setTimeout(resolve, 10));
      silent.closeAllConnections();
      await Promise.all(held);
      answer = true;
      // Slots are given back: the next fetch is tried again (and refused for its own reason: a 404).
      await expect(fetchDocument(url, true)).rejects.toMatchObject({
        error: 'invalid_client',
        description: expect.stringContaining('HTTP 404'),
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
