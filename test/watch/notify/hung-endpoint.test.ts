import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eventually } from '../../helpers/ports.js';
import { baseConfig, liveRig } from './live-rig.js';

/**
 * Issue 16, item 2: against an endpoint that accepts the connection and never answers, the
 * first try must fail at the send timeout, and no second copy may go out while the first is
 * open. The garbage collector runs all along: on Node 20 a timeout built from
 * `AbortSignal.timeout` inside `AbortSignal.any` is collected and never fires (nodejs/node#57736).
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * A TCP server that reads and never writes. It records each request (a connection that sent
 * data: undici also opens spare connections that carry nothing) and when its connection closed.
 */
async function hungEndpoint() {
  const sockets: Array<{ opened: number; closed?: number }> = [];
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    let entry: { opened: number; closed?: number } | undefined;
    open.add(socket);
    socket.on('data', () => {
      if (entry) return;
      entry = { opened: Date.now() };
      sockets.push(entry);
    });
    socket.on('close', () => {
      if (entry) entry.closed = Date.now();
      open.delete(socket);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    sockets,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('a hung webhook: the first failure is recorded at the send timeout, and no copy overlaps it', async () => {
  const hung = await hungEndpoint();
  const timeoutMs = 500;
  const rig = await liveRig({
    config: () =>
      [
        'channels:',
        `  hook: { type: webhook, down: { url: "${hung.url}/hook", method: POST, body: x } }`,
        baseConfig(['hook']),
      ].join('\n'),
    outbox: { sendTimeoutMs: timeoutMs, maxTries: 2, retryBaseMs: 50 },
  });
  const collector = setInterval(gc, 20);
  try {
    await rig.fail();
    await eventually(
      async () => (await rig.notifications())[0]?.status === 'failed',
      15_000,
      'both tries to fail',
    );
    const [n] = await rig.notifications();
    assert.equal(n?.tries, 2);
    assert.match(n?.error ?? '', /no answer/);
    assert.equal(hung.sockets.length, 2, 'one request per try');
    const [first, second] = hung.sockets as [{ opened: number; closed?: number }, { opened: number }];
    assert.ok(first.closed !== undefined, 'the first try gave up its connection');
    const held = (first.closed ?? 0) - first.opened;
    // Generous upper bound for a loaded machine; without the fix the try never ends at all.
    assert.ok(held >= timeoutMs - 50 && held < timeoutMs + 3000, `first try held the connection ${held} ms`);
    assert.ok(second.opened >= (first.closed ?? 0), 'the retry started after the first try ended');
  } finally {
    clearInterval(collector);
    await rig.close();
    await hung.close();
  }
});
