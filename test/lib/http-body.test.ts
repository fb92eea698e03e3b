import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { readRequestBody } from '../../src/lib/http-body.js';
import { type RunningService, startService, withOperationalRoutes } from '../../src/lib/http-server.js';
import { silentLogger } from '../../src/lib/log.js';

/**
 * Request bodies read with a limit: over a real socket (the Node request is read directly) and
 * through `app.request()` (the web body), with the same answers.
 */

const LIMIT = 16;

function bodyApp(): Hono {
  const app = new Hono();
  app.post('/reject', async (c) => c.text((await readRequestBody(c, LIMIT, 'reject')).toString('utf8')));
  app.post('/truncate', async (c) => c.text((await readRequestBody(c, LIMIT, 'truncate')).toString('utf8')));
  return app;
}

interface Answer {
  status: number;
  body: string;
}

function post(
  base: string,
  path: string,
  chunks: string[],
  options: { chunked?: boolean; agent?: Agent } = {},
): Promise<Answer> {
  const body = chunks.join('');
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: 'POST',
        agent: options.agent ?? false,
        headers: options.chunked
          ? { 'transfer-encoding': 'chunked' }
          : { 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('request bodies over a real socket', () => {
  let service: RunningService;
  before(async () => {
    service = await startService({
      name: 'body-test',
      app: bodyApp(),
      listen: { host: '127.0.0.1', port: 0 },
      metrics: new Registry(),
      logger: silentLogger(),
      handleSignals: false,
      drainGraceMs: 0,
    });
  });
  after(() => service.drain());

  it('reads a body within the limit, whole', async () => {
    assert.deepEqual(await post(service.url, '/reject', ['0123456789abcdef']), {
      status: 200,
      body: '0123456789abcdef',
    });
    assert.deepEqual(await post(service.url, '/reject', ['0123', '4567'], { chunked: true }), {
      status: 200,
      body: '01234567',
    });
  });

  it('refuses a body over the limit with 413, by its Content-Length or while it streams', async () => {
    const declared = await post(service.url, '/reject', ['x'.repeat(LIMIT + 1)]);
    assert.equal(declared.status, 413);
    assert.equal(
      (JSON.parse(declared.body) as { error: { code: string } }).error.code,
      'AP_PAYLOAD_TOO_LARGE',
    );
    const streamed = await post(service.url, '/reject', ['x'.repeat(10), 'y'.repeat(10)], { chunked: true });
    assert.equal(streamed.status, 413);
  });

  it('keeps the first bytes of a body over the limit when told to truncate', async () => {
    const r = await post(service.url, '/truncate', ['0123456789', 'abcdefghij', 'klmnop'], { chunked: true });
    assert.deepEqual(r, { status: 200, body: '0123456789abcdef' });
  });

  it('keeps a keep-alive connection usable after a refusal', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await post(service.url, '/reject', ['x'.repeat(1000)], { agent })).status, 413);
      assert.deepEqual(await post(service.url, '/reject', ['ok'], { agent }), { status: 200, body: 'ok' });
    } finally {
      agent.destroy();
    }
  });
});

describe('request bodies through app.request()', () => {
  const app = withOperationalRoutes(bodyApp(), { metrics: new Registry(), ready: () => true });
  it('answers as the socket path does', async () => {
    const ok = await app.request('/reject', { method: 'POST', body: 'small' });
    assert.equal(await ok.text(), 'small');
    const big = await app.request('/reject', { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
    assert.equal(big.status, 413);
    const cut = await app.request('/truncate', { method: 'POST', body: '0123456789abcdefXYZ' });
    assert.equal(await cut.text(), '0123456789abcdef');
  });
});
