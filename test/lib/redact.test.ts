import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecrets } from '../../src/lib/redact.js';

const UUID = '5f0c9a3e-8d4b-4f6e-9a1c-2b3d4e5f6a7b';

// One redaction function for every URL shape that carries a secret (issue 16, item 6).
const SHAPES: Array<[string, string, string]> = [
  ['ping uuid', `https://watch.example.net/ping/${UUID}`, 'https://watch.example.net/ping/***'],
  [
    'ping uuid + fail',
    `https://watch.example.net/ping/${UUID}/fail`,
    'https://watch.example.net/ping/***/fail',
  ],
  ['ping uuid + exit status', `http://w/ping/${UUID}/2?rid=1`, 'http://w/ping/***/2?rid=1'],
  ['ping key + slug', 'https://w/ping/Ab3dEf9hIjKlMnOpQrStUv/db-backup', 'https://w/ping/***/db-backup'],
  ['short ping key + slug', 'https://w/ping/k3y-abcd/db/start', 'https://w/ping/***/db/start'],
  ['hc-ping.com uuid', `https://hc-ping.com/${UUID}/fail`, 'https://hc-ping.com/***/fail'],
  [
    'hc-ping.com key + slug',
    'https://hc-ping.com/Ab3dEf9hIjKlMnOpQrStUv/backup',
    'https://hc-ping.com/***/backup',
  ],
  ['uuid after the host', `https://ping.example.net/${UUID.toUpperCase()}`, 'https://ping.example.net/***'],
  [
    'uuid after user:password@host',
    `https://u:pw@ping.example.net/${UUID}`,
    'https://u:***@ping.example.net/***',
  ],
  [
    'Discord webhook token',
    'https://discord.com/api/webhooks/123456/abc-DEF_g.h~i?wait=true',
    'https://discord.com/api/webhooks/123456/***?wait=true',
  ],
  [
    'Slack webhook',
    'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
    'https://hooks.slack.com/services/***',
  ],
  [
    'Telegram bot token',
    'https://api.telegram.org/bot123456:AAE-abc_DEF123/sendMessage',
    'https://api.telegram.org/bot***/sendMessage',
  ],
  ['user:password@', 'postgres://user:pw@db:5432/x', 'postgres://user:***@db:5432/x'],
  ['smtp password', 'smtps://me:s3cr%40t@smtp.example.net', 'smtps://me:***@smtp.example.net'],
  ['?token=', 'https://ntfy.sh/t?token=abc&x=1', 'https://ntfy.sh/t?token=***&x=1'],
  ['&api_key=', 'https://h/x?a=1&api_key=abc', 'https://h/x?a=1&api_key=***'],
  [
    'Matrix access_token',
    'https://matrix.org/_matrix/client/v3/rooms/!r/send?access_token=syt_abc',
    'https://matrix.org/_matrix/client/v3/rooms/!r/send?access_token=***',
  ],
  ['a ...Token parameter', 'https://h/x?authToken=abc#top', 'https://h/x?authToken=***#top'],
  ['signature', 'https://h/x?sig=abc&X-Amz-Signature=def', 'https://h/x?sig=***&X-Amz-Signature=***'],
];

for (const [shape, input, expected] of SHAPES) {
  test(`redactSecrets: ${shape}`, () => {
    assert.equal(redactSecrets(input), expected);
    assert.equal(redactSecrets(redactSecrets(input)), expected, 'redacting twice changes nothing');
  });
}

test('redactSecrets: inside a message, the text around the URL stays', () => {
  assert.equal(
    redactSecrets(`http://deadman:8000/ping/${UUID} did not answer 2xx before the deadline (last: HTTP 500)`),
    'http://deadman:8000/ping/*** did not answer 2xx before the deadline (last: HTTP 500)',
  );
  assert.equal(
    redactSecrets('no answer from http://h/x?token=s3cr:et: connection refused'),
    'no answer from http://h/x?token=***: connection refused',
  );
  assert.equal(redactSecrets(`"url":"https://w/ping/${UUID}"`), '"url":"https://w/ping/***"');
  assert.equal(redactSecrets(`heartbeat to http://w/ping/${UUID}.`), 'heartbeat to http://w/ping/***.');
  assert.equal(redactSecrets(`<http://w/ping/${UUID}>`), '<http://w/ping/***>');
});

test('redactSecrets: what carries no secret is left alone', () => {
  for (const text of [
    'relay ready on http://127.0.0.1:9095',
    'GET /api/v3/checks/ 200',
    '/ping/short',
    'https://watch.example.net/api/v3/peers/site-b/ping',
    'https://h/x?page=2&sort=name',
    `check ${UUID} went down`,
  ])
    assert.equal(redactSecrets(text), text);
});
