import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTlsFixture, type TlsFixture } from '../helpers/certs.js';
import { cliArgv, collect, repoRoot, runCli, startCli } from '../helpers/cli.js';

/**
 * `alertpath wait` through its public contract: the real CLI against servers on loopback.
 * Short intervals keep the suite quick; nothing here asserts how long anything took.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

async function httpServer(handler: Handler) {
  const server = createHttpServer(handler);
  const port = await listen(server);
  return { server, url: `http://127.0.0.1:${port}/api/v2.0/system/info`, close: () => closeServer(server) };
}

function closeServer(server: { close(cb: () => void): void; closeAllConnections?: () => void }) {
  server.closeAllConnections?.();
  return new Promise<void>((r) => server.close(() => r()));
}

/** A port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await listen(s);
  await closeServer(s);
  return port;
}

const FAST = ['--interval', '100ms', '--attempt-timeout', '1s'];

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

describe('alertpath wait', () => {
  let tls: TlsFixture;
  before(() => {
    tls = makeTlsFixture();
  });

  it('waits through 503s and is ready on the first 401 it is told to accept', async () => {
    let requests = 0;
    const target = await httpServer((_req, res) => {
      requests++;
      res.writeHead(requests <= 3 ? 503 : 401).end();
    });
    try {
      const r = await runCli(['wait', ...FAST, '--timeout', '30s', '--accept', '2xx,401,403', target.url]);
      assert.equal(r.code, 0, r.stderr);
      const out = lines(r.stderr);
      assert.deepEqual(out[0], `waiting for ${target.url}: HTTP 503 (attempt 1)`);
      assert.match(
        out[1] ?? '',
        new RegExp(`^ready: ${reEscape(target.url)} answered HTTP 401 after 4 attempts \\(\\d+\\.\\d s\\)$`),
      );
      assert.equal(out.length, 2, 'one line per change of reason, not one per attempt');
      assert.equal(requests, 4, 'no attempt after ready');
    } finally {
      await target.close();
    }
  });

  it('times out with exit 1 when the target always answers 503, and says what it saw last', async () => {
    const target = await httpServer((_req, res) => res.writeHead(503).end());
    try {
      const r = await runCli(['wait', ...FAST, '--timeout', '1s', target.url]);
      assert.equal(r.code, 1);
      const out = lines(r.stderr);
      assert.equal(out.length, 2);
      assert.match(
        out[1] ?? '',
        new RegExp(`^timed out after 1 s and \\d+ attempts: ${reEscape(target.url)} \\(last: HTTP 503\\)$`),
      );
    } finally {
      await target.close();
    }
  });

  it('with --on-timeout proceed, still prints the timeout line but exits 0', async () => {
    const target = await httpServer((_req, res) => res.writeHead(503).end());
    try {
      const r = await runCli(['wait', ...FAST, '--timeout', '500ms', '--on-timeout', 'proceed', target.url]);
      assert.equal(r.code, 0);
      assert.match(r.stderr, /timed out after 0\.5 s and \d+ attempts: .*\(last: HTTP 503\)/);
    } finally {
      await target.close();
    }
  });

  it('does not count 401 as ready under the default accept set (2xx)', async () => {
    const target = await httpServer((_req, res) => res.writeHead(401).end());
    try {
      const r = await runCli(['wait', ...FAST, '--timeout', '500ms', '--accept', '2xx', target.url]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /waiting for .*: HTTP 401 \(attempt 1\)/);
      const dflt = await runCli(['wait', ...FAST, '--timeout', '500ms', target.url]);
      assert.equal(dflt.code, 1);
    } finally {
      await target.close();
    }
  });

  it('accepts ranges and HEAD, and sends the given headers', async () => {
    const seen: IncomingMessage[] = [];
    const target = await httpServer((req, res) => {
      seen.push(req);
      res.writeHead(301, { location: '/elsewhere' }).end();
    });
    try {
      const r = await runCli([
        'wait',
        ...FAST,
        '--timeout',
        '5s',
        '--accept',
        '200-299,301',
        '--method',
        'head',
        '--header',
        'Authorization: Bearer s3cret',
        target.url,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /answered HTTP 301 after 1 attempt \(/);
      assert.equal(seen[0]?.method, 'HEAD');
      assert.equal(seen[0]?.headers.authorization, 'Bearer s3cret');
      assert.doesNotMatch(r.stderr, /s3cret/);
    } finally {
      await target.close();
    }
  });

  it('tells a closed TCP port from an open one', async () => {
    const port = await closedPort();
    const closed = await runCli(['wait', ...FAST, '--timeout', '500ms', `tcp://127.0.0.1:${port}`]);
    assert.equal(closed.code, 1);
    assert.match(closed.stderr, /waiting for tcp:\/\/127\.0\.0\.1:\d+: connection refused \(attempt 1\)/);
    assert.match(closed.stderr, /\(last: connection refused\)/);

    const open = createTcpServer((socket) => socket.end());
    const openPort = await listen(open);
    try {
      const r = await runCli(['wait', ...FAST, '--timeout', '5s', `tcp://127.0.0.1:${openPort}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^ready: tcp:\/\/127\.0\.0\.1:\d+ accepted a connection after 1 attempt \(/m);
    } finally {
      await closeServer(open);
    }
  });

  describe('TLS with a self-signed certificate', () => {
    let url: string;
    let server: ReturnType<typeof createHttpsServer>;
    before(async () => {
      server = createHttpsServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.writeHead(401).end());
      url = `https://127.0.0.1:${await listen(server)}/api/v2.0/system/info`;
    });
    after(() => closeServer(server));

    it('is refused by default: a TLS error is not ready', async () => {
      const r = await runCli(['wait', ...FAST, '--timeout', '500ms', '--accept', '2xx,401,403', url]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /waiting for https:.*: TLS: .*(certificate|issuer)/i);
    });

    it('is accepted with --insecure (the storage-API gate from the post-mortem)', async () => {
      const r = await runCli(['wait', '--accept', '2xx,401,403', '--insecure', url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^ready: https:.* answered HTTP 401 after 1 attempt/m);
    });

    it('is accepted with --ca-file naming the CA that signed it', async () => {
      const r = await runCli(['wait', '--accept', '2xx,401,403', '--ca-file', tls.caFile, url]);
      assert.equal(r.code, 0, r.stderr);
    });
  });

  it('needs every target: one that is never ready makes it time out, naming that one', async () => {
    const good = await httpServer((_req, res) => res.writeHead(200).end());
    const bad = await httpServer((_req, res) => res.writeHead(502).end());
    try {
      const r = await runCli([
        'wait',
        ...FAST,
        '--timeout',
        '800ms',
        good.url.replace('/api', '/good'),
        bad.url,
      ]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^ready: http:\/\/127\.0\.0\.1:\d+\/good\/v2\.0\/system\/info answered HTTP 200/m,
      );
      assert.match(
        r.stderr,
        new RegExp(
          `^timed out after 0\\.8 s and \\d+ attempts: ${reEscape(bad.url)} \\(last: HTTP 502\\)$`,
          'm',
        ),
      );
      assert.doesNotMatch(r.stderr, /timed out.*\/good\//);
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('bounds each attempt by --attempt-timeout when the target hangs', async () => {
    const held = new Set<Socket>();
    const hang = createTcpServer((socket) => held.add(socket)); // accepts, never answers
    const port = await listen(hang);
    try {
      const r = await runCli([
        'wait',
        '--interval',
        '100ms',
        '--attempt-timeout',
        '300ms',
        '--timeout',
        '1s',
        `http://127.0.0.1:${port}/`,
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /waiting for http:\/\/127\.0\.0\.1:\d+\/: timed out after 0\.3 s \(attempt 1\)/);
      assert.equal(
        lines(r.stderr).length,
        2,
        'the reason does not change when the last attempt is cut short',
      );
      const timeoutLine = lines(r.stderr).at(-1) ?? '';
      assert.match(timeoutLine, /\(last: timed out after 0\.3 s\)$/);
      const attempts = Number(/and (\d+) attempts/.exec(timeoutLine)?.[1]);
      assert.ok(attempts >= 2, `a hung attempt must not hold the wait: ${timeoutLine}`);
    } finally {
      for (const socket of held) socket.destroy();
      await closeServer(hang);
    }
  });

  it('exits 130 on SIGINT and on SIGTERM', async () => {
    const port = await closedPort();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const child = startCli(['wait', ...FAST, '--timeout', '60s', `tcp://127.0.0.1:${port}`]);
      const done = collect(child);
      await new Promise<void>((resolve) => {
        child.stderr?.on('data', (d: Buffer) => {
          if (String(d).includes('waiting for')) resolve();
        });
      });
      child.kill(signal);
      const r = await done;
      assert.equal(r.code, 130, `${signal}: ${r.stderr}`);
    }
  });

  it('--quiet keeps only the final line; --json prints one object per line', async () => {
    let requests = 0;
    const target = await httpServer((_req, res) => {
      requests++;
      res.writeHead(requests === 1 ? 503 : 204).end();
    });
    try {
      const quiet = await runCli(['wait', ...FAST, '--quiet', target.url]);
      assert.equal(quiet.code, 0);
      assert.equal(lines(quiet.stderr).length, 1);
      assert.match(quiet.stderr, /^ready: /);

      requests = 0;
      const json = await runCli(['wait', ...FAST, '--json', target.url]);
      assert.equal(json.code, 0);
      const events = lines(json.stderr).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        events.map((e) => e.event),
        ['waiting', 'ready'],
      );
      assert.equal(events[0]?.reason, 'HTTP 503');
      assert.equal(events[1]?.attempts, 2);
      assert.equal(events[1]?.target, target.url);
      assert.equal(json.stdout, '', 'stdout stays clean');
    } finally {
      await target.close();
    }
  });

  it('exits 2 with one line naming the problem for every usage error', async () => {
    const cases: [string[], RegExp][] = [
      [[], /missing required argument 'target'/],
      [['--bogus', 'http://x'], /unknown option '--bogus'/],
      [['ftp://x'], /unsupported scheme "ftp"/],
      [['not a url'], /invalid target "not a url"/],
      [['tcp://127.0.0.1'], /tcp:\/\/host:port/],
      [['--interval', 'soon', 'http://x'], /invalid --interval duration "soon"/],
      [['--timeout', '0', 'http://x'], /--timeout "0": it must be more than 0/],
      [['--attempt-timeout', '-1s', 'http://x'], /--attempt-timeout/],
      [['--accept', '2xx,6xx', 'http://x'], /"6xx" is not a status code/],
      [['--accept', '299-200', 'http://x'], /"299-200"/],
      [['--method', 'POST', 'http://x'], /--method "POST": expected GET or HEAD/],
      [['--header', 'NoColon', 'http://x'], /--header "NoColon"/],
      [['--on-timeout', 'maybe', 'http://x'], /--on-timeout "maybe"/],
      [['--ca-file', '/nonexistent/ca.pem', 'http://x'], /cannot read --ca-file/],
      [['--insecure', '--ca-file', '/etc/hostname', 'http://x'], /contradict/],
      [['--systemd-dropin', 'not a unit', 'http://x'], /--systemd-dropin unit "not a unit"/],
    ];
    for (const [args, reason] of cases) {
      const r = await runCli(['wait', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.equal(lines(r.stderr).length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^alertpath: /);
      assert.match(r.stderr, reason);
    }
  });

  it('loads nothing of the other commands, nor an HTTP client, to show --help', () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'alertpath-trace-')), 'imports.txt');
    const r = spawnSync(
      process.execPath,
      ['--import', join(repoRoot, 'test/helpers/trace-imports.mjs'), ...cliArgv(['wait', '--help'])],
      { env: { ...process.env, ALERTPATH_TRACE_IMPORTS: trace }, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const loaded = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      loaded.some((url) => /\/cli\/wait\.(js|ts)$/.test(url)),
      'the trace saw the wait command load',
    );
    const foreign = loaded.filter((url) =>
      /\/src\/(relay|watch|audit|drill|discord|alertmanager)\/|\/node_modules\/(undici|hono|pino|zod|yaml|better-sqlite3|pg)\//.test(
        url,
      ),
    );
    assert.deepEqual(foreign, []);
  });

  it('prints a systemd drop-in that repeats the options and bounds itself', async () => {
    const r = await runCli([
      'wait',
      '--systemd-dropin',
      'pve-guests.service',
      '--accept',
      '2xx,401,403',
      '--insecure',
      '--on-timeout',
      'proceed',
      '--header',
      'X-Token: 50%$off',
      'https://10.10.12.2/api/v2.0/system/info',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.split('\n');
    assert.equal(out[0], '# /etc/systemd/system/pve-guests.service.d/10-alertpath-wait.conf');
    assert.equal(out[1], '[Service]');
    assert.equal(out[2], 'TimeoutStartSec=infinity');
    const exec = /^ExecStartPre=(\/\S+) (.*)$/.exec(out[3] ?? '');
    assert.ok(exec, out[3]);
    assert.equal(
      exec[2],
      'wait --interval 2s --timeout 300s --accept 2xx,401,403 --header "X-Token: 50%%$$off" --insecure --on-timeout proceed https://10.10.12.2/api/v2.0/system/info',
    );
    assert.equal(r.stderr, '');
  });
});

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
