import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/lib/log.js';
import { startWatch, type Watch } from '../../src/watch/index.js';
import { findBinary } from '../helpers/cli.js';
import { eventually, freePort } from '../helpers/ports.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

/**
 * The real parts of a drill, on loopback: Debian's Alertmanager (one, or a gossiping cluster)
 * whose Watchdog webhook pings a real `alertpath watch` (in this process, SQLite in a temp dir),
 * whose webhook channel posts to a loopback receiver.
 */

export const alertmanagerBinary = findBinary('prometheus-alertmanager', 'alertmanager');

export const API_KEY = 'drill-test-key-0123456789abcdef0';
export const READ_ONLY_KEY = 'drill-test-ro-key-0123456789abcd';
export const CHECK_UUID = '6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c';

export interface WatchRig {
  url: string;
  watch: Watch;
  receiver: Receiver;
  dir: string;
  keyFile: string;
  readOnlyKeyFile: string;
  close(): Promise<void>;
}

export async function startWatchRig(
  options: { period?: string; grace?: string; channels?: boolean; outboxRetryMs?: number } = {},
): Promise<WatchRig> {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'drill-watch-'));
  const config = join(dir, 'watch.yaml');
  const channels = options.channels !== false;
  writeFileSync(
    config,
    [
      'channels:',
      '  hook:',
      '    type: webhook',
      `    down: { url: "${receiver.url}/down", method: POST, body: "$NAME is $STATUS" }`,
      `    up: { url: "${receiver.url}/up", method: POST, body: "$NAME is $STATUS" }`,
      `defaults: { channels: [${channels ? 'hook' : ''}] }`,
      'apiKeys:',
      `  - { name: drill, key: ${API_KEY} }`,
      `  - { name: drill-ro, key: ${READ_ONLY_KEY}, readOnly: true }`,
      'checks:',
      `  - { name: alertmanager-watchdog, uuid: ${CHECK_UUID}, period: ${options.period ?? '2s'}, grace: ${options.grace ?? '3s'}, alertmanager: true }`,
      '',
    ].join('\n'),
  );
  const keyFile = join(dir, 'api-key');
  writeFileSync(keyFile, `${API_KEY}\n`);
  const readOnlyKeyFile = join(dir, 'api-key-ro');
  writeFileSync(readOnlyKeyFile, `${READ_ONLY_KEY}\n`);
  const { service, watch } = await startWatch(
    { configFile: config, dataDir: dir, listen: '127.0.0.1:0', env: {} },
    {
      logger: silentLogger(),
      handleSignals: false,
      processMetrics: false,
      outbox: { retryBaseMs: options.outboxRetryMs ?? 2000 },
    },
  );
  return {
    url: service.url,
    watch,
    receiver,
    dir,
    keyFile,
    readOnlyKeyFile,
    close: async () => {
      await service.drain();
      await receiver.close();
    },
  };
}

export interface AlertmanagerNode {
  url: string;
  process: ChildProcess;
  clusterAddress: string;
  stop(): Promise<void>;
}

/**
 * Starts `count` Alertmanagers (clustered when more than one) routing Watchdog to `pingUrl`
 * every second, and the drill's test alert to `relayUrl` when given.
 */
export async function startAlertmanagers(
  pingUrl: string,
  options: { count?: number; relayUrl?: string; relayToken?: string } = {},
): Promise<AlertmanagerNode[]> {
  const count = options.count ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'drill-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  const relay = options.relayUrl
    ? [
        '    - matchers: [\'alertname="AlertpathDrill"\']',
        '      receiver: relay',
        '      group_wait: 0s',
        '      repeat_interval: 1h',
      ]
    : [];
  const relayReceiver = options.relayUrl
    ? [
        '  - name: relay',
        '    webhook_configs:',
        `      - url: ${options.relayUrl}/webhook`,
        '        send_resolved: true',
        ...(options.relayToken
          ? [
              '        http_config:',
              `          authorization: { type: Bearer, credentials: ${options.relayToken} }`,
            ]
          : []),
      ]
    : [];
  writeFileSync(
    configFile,
    [
      'route:',
      '  receiver: deadman',
      '  group_by: [alertname]',
      '  group_wait: 0s',
      '  group_interval: 1s',
      '  repeat_interval: 1s',
      '  routes:',
      ...relay,
      '    - matchers: [\'alertname="Watchdog"\']',
      '      receiver: deadman',
      'receivers:',
      '  - name: deadman',
      '    webhook_configs:',
      `      - url: ${pingUrl}`,
      '        send_resolved: false',
      ...relayReceiver,
      '',
    ].join('\n'),
  );
  const ports = await Promise.all(
    Array.from({ length: count }, async () => [await freePort(), await freePort()] as const),
  );
  const nodes: AlertmanagerNode[] = [];
  for (const [i, [webPort, clusterPort]] of ports.entries()) {
    const cluster =
      count === 1
        ? ['--cluster.listen-address=']
        : [
            `--cluster.listen-address=127.0.0.1:${clusterPort}`,
            `--cluster.advertise-address=127.0.0.1:${clusterPort}`,
            '--cluster.gossip-interval=50ms',
            '--cluster.pushpull-interval=1s',
            '--cluster.settle-timeout=1s',
            '--cluster.peer-timeout=1s',
            ...ports.filter((_, j) => j !== i).map(([, p]) => `--cluster.peer=127.0.0.1:${p}`),
          ];
    const child = spawn(
      alertmanagerBinary as string,
      [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, `data-${i}`)}`,
        `--web.listen-address=127.0.0.1:${webPort}`,
        `--web.external-url=http://127.0.0.1:${webPort}`,
        ...cluster,
      ],
      { stdio: 'ignore' },
    );
    const url = `http://127.0.0.1:${webPort}`;
    nodes.push({
      url,
      process: child,
      clusterAddress: `127.0.0.1:${clusterPort}`,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      },
    });
  }
  for (const node of nodes) {
    await eventually(
      async () => (await fetch(`${node.url}/-/ready`)).ok,
      20_000,
      `Alertmanager ${node.url} to be ready`,
    );
  }
  if (count > 1) {
    await eventually(
      async () => {
        const statuses = await Promise.all(
          nodes.map(async (n) => (await fetch(`${n.url}/api/v2/status`)).json()),
        );
        return statuses.every(
          (s) =>
            (s as { cluster: { status: string; peers: unknown[] } }).cluster.status === 'ready' &&
            (s as { cluster: { peers: unknown[] } }).cluster.peers.length === count,
        );
      },
      30_000,
      'the Alertmanager cluster to settle',
    );
  }
  return nodes;
}

/** Posts an always-firing Watchdog to every node, as Prometheus does (ends in an hour unless re-sent). */
export async function fireWatchdog(nodes: AlertmanagerNode[]): Promise<void> {
  const endsAt = new Date(Date.now() + 3600_000).toISOString();
  for (const n of nodes) {
    const res = await fetch(`${n.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname: 'Watchdog', severity: 'none' }, annotations: {}, endsAt },
      ]),
    });
    if (!res.ok) throw new Error(`Alertmanager ${n.url} refused the Watchdog: ${res.status}`);
  }
}

export interface ApiSilence {
  id: string;
  status: { state: string };
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
}

export async function silencesOn(node: { url: string }): Promise<ApiSilence[]> {
  return (await (await fetch(`${node.url}/api/v2/silences`)).json()) as ApiSilence[];
}

/** Silences that still mute something: what a drill must never leave behind. */
export async function activeSilences(node: { url: string }): Promise<ApiSilence[]> {
  return (await silencesOn(node)).filter((s) => s.status.state !== 'expired');
}

/** Waits until the check is up (the Watchdog is arriving), so a drill starts from a healthy state. */
export async function waitUntilUp(rig: WatchRig): Promise<void> {
  await eventually(
    async () => {
      const res = await fetch(`${rig.url}/api/v3/checks/${CHECK_UUID}`, {
        headers: { 'x-api-key': API_KEY },
      });
      return ((await res.json()) as { status: string }).status === 'up';
    },
    20_000,
    'the check to be up',
  );
}

export interface WatchFlip {
  timestamp: string;
  up: number;
  from: string;
  to: string;
  reason: string;
}

export async function flipsOf(rig: WatchRig): Promise<WatchFlip[]> {
  const res = await fetch(`${rig.url}/api/v3/checks/${CHECK_UUID}/flips/`, {
    headers: { 'x-api-key': API_KEY },
  });
  return ((await res.json()) as { flips: WatchFlip[] }).flips;
}

/**
 * An authenticating proxy in front of an Alertmanager, as an ingress or kube-rbac-proxy puts
 * one: every request needs `authorization`; `refuseSilences` answers new silences 403 (a
 * read-only token), everything else is passed through to the real Alertmanager.
 */
export async function startAuthProxy(
  target: string,
  options: { authorization: string; refuseSilences?: boolean },
): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (req.headers.authorization !== options.authorization) {
        res
          .writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' })
          .end('Unauthorized\n');
        return;
      }
      if (options.refuseSilences && req.method === 'POST' && req.url === '/api/v2/silences') {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden: this token may only read\n');
        return;
      }
      try {
        const upstream = await fetch(`${target}${req.url}`, {
          method: req.method ?? 'GET',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        res
          .writeHead(upstream.status, {
            'content-type': upstream.headers.get('content-type') ?? 'text/plain',
          })
          .end(body);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** `alertpath drill` against the rig's watch check and these Alertmanagers; later flags win. */
export function drillArgs(rig: WatchRig, nodes: Array<{ url: string }>, ...extra: string[]): string[] {
  return [
    'drill',
    ...nodes.flatMap((n) => ['--alertmanager', n.url]),
    '--observer',
    rig.url,
    '--check',
    'alertmanager-watchdog',
    '--api-key-file',
    rig.keyFile,
    ...extra,
  ];
}
