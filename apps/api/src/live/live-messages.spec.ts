import { parseClientMessage } from './live-messages';

describe('parseClientMessage', () => {
  it.each([
    ['{"type":"auth","token":"abc"}', { ok: true, message: { type: 'auth', token: 'abc' } }],
    ['{"type":"subscribe","channel":"logs:everything"}', { ok: true, message: { type: 'subscribe', channel: 'logs:everything' } }],
    ['{"type":"subscribe","channel":"deploy:0b9d"}', { ok: true, message: { type: 'subscribe', channel: 'deploy:0b9d' } }],
    ['{"type":"subscribe","channel":"status"}', { ok: true, message: { type: 'subscribe', channel: 'status' } }],
    ['{"type":"unsubscribe","channel":"metrics"}', { ok: true, message: { type: 'unsubscribe', channel: 'metrics' } }],
    ['{"type":"subscribe","channel":"network"}', { ok: true, message: { type: 'subscribe', channel: 'network' } }],
    ['not json', { ok: false, error: 'messages must be JSON' }],
    ['[1]', { ok: false, error: 'messages must be JSON objects' }],
    ['{"type":"auth"}', { ok: false, error: 'auth needs a token' }],
    [
      '{"type":"subscribe","channel":"logs:"}',
      { ok: false, error: 'unknown channel "logs:": use "status", "metrics", "network", "logs:<service>" or "deploy:<deploymentId>"' },
    ],
    [
      '{"type":"subscribe","channel":"everything"}',
      { ok: false, error: 'unknown channel "everything": use "status", "metrics", "network", "logs:<service>" or "deploy:<deploymentId>"' },
    ],
    ['{"type":"shout"}', { ok: false, error: 'unknown message type "shout": use auth, subscribe or unsubscribe' }],
  ])('%s', (text, expected) => {
    expect(parseClientMessage(text)).toEqual(expected);
  });
});
