import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { findBinary } from './cli.js';
import { freePort } from './ports.js';

/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) on loopback, with
 * filesystem storage in a temp dir and its access log captured, so tests can count requests.
 * Images are pushed through the registry's own HTTP API (monolithic blob upload, manifest PUT).
 */
export function registryBinary(): string | undefined {
  return findBinary('docker-registry', 'registry');
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, as an image reference host. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Access-log lines so far (combined log format, one per request). */
  accessLog(): string[];
  /** Requests seen with this method whose path starts with `pathPrefix`. */
  countRequests(method: string, pathPrefix?: string): number;
  stop(): Promise<void>;
}

export async function startRegistry(): Promise<RunningRegistry> {
  const binary = registryBinary();
  if (!binary) throw new Error('docker-registry is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'alertpath-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  formatter: json',
      '  accesslog:',
      '    disabled: false',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      '',
    ].join('\n'),
  );
  const child = spawn(binary, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(child, url, () => stderr);
  return {
    host: `127.0.0.1:${port}`,
    url,
    accessLog: () => [...lines],
    countRequests: (method, pathPrefix = '/') =>
      lines.filter((l) => l.includes(`"${method} ${pathPrefix}`)).length,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilServing(child: ChildProcess, url: string, stderr: () => string): Promise<void> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${stderr()}`);
    try {
      const res = await request(`${url}/v2/`);
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not answer on ${url}: ${stderr()}`);
}

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export type ImageFormat = 'oci' | 'docker' | 'oci-index' | 'docker-list';

function digestOf(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Monolithic blob upload: POST to open a session, then PUT the bytes with their digest. */
export async function pushBlob(registryUrl: string, repository: string, data: Buffer): Promise<string> {
  const digest = digestOf(data);
  const opened = await request(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await opened.body.dump();
  const location = opened.headers.location;
  if (opened.statusCode !== 202 || typeof location !== 'string') {
    throw new Error(`blob upload POST answered ${opened.statusCode}`);
  }
  const target = new URL(location, registryUrl);
  target.searchParams.set('digest', digest);
  const put = await request(target, {
    method: 'PUT',
    body: data,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
  });
  const text = await put.body.text();
  if (put.statusCode !== 201) throw new Error(`blob upload PUT answered ${put.statusCode}: ${text}`);
  return digest;
}

/** PUTs a manifest under a tag or digest reference; returns its digest. */
export async function putManifest(
  registryUrl: string,
  repository: string,
  reference: string,
  mediaType: string,
  manifest: object,
): Promise<string> {
  const body = JSON.stringify(manifest);
  const res = await request(`${registryUrl}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    body,
    headers: { 'content-type': mediaType },
  });
  const text = await res.body.text();
  if (res.statusCode !== 201)
    throw new Error(`manifest PUT ${repository}:${reference} answered ${res.statusCode}: ${text}`);
  return digestOf(body);
}

/**
 * Pushes a small image (one config blob, one layer) as `repository:tag` in the given format and
 * returns the digest the tag points at. Index formats push a single-platform child manifest first.
 */
export async function pushImage(
  registryUrl: string,
  repository: string,
  tag: string,
  format: ImageFormat = 'oci',
): Promise<string> {
  const docker = format === 'docker' || format === 'docker-list';
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, tag }),
  );
  const layer = Buffer.concat([Buffer.from(`${repository}:${tag}\n`), randomBytes(64)]);
  const configDigest = await pushBlob(registryUrl, repository, config);
  const layerDigest = await pushBlob(registryUrl, repository, layer);
  const manifestType = docker ? MEDIA.dockerManifest : MEDIA.ociManifest;
  const manifest = {
    schemaVersion: 2,
    mediaType: manifestType,
    config: {
      mediaType: docker ? MEDIA.dockerConfig : MEDIA.ociConfig,
      digest: configDigest,
      size: config.length,
    },
    layers: [
      { mediaType: docker ? MEDIA.dockerLayer : MEDIA.ociLayer, digest: layerDigest, size: layer.length },
    ],
  };
  if (format === 'oci' || format === 'docker') {
    return putManifest(registryUrl, repository, tag, manifestType, manifest);
  }
  const childBody = JSON.stringify(manifest);
  const childDigest = await putManifest(registryUrl, repository, digestOf(childBody), manifestType, manifest);
  const indexType = format === 'oci-index' ? MEDIA.ociIndex : MEDIA.dockerList;
  return putManifest(registryUrl, repository, tag, indexType, {
    schemaVersion: 2,
    mediaType: indexType,
    manifests: [
      {
        mediaType: manifestType,
        digest: childDigest,
        size: Buffer.byteLength(childBody),
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ],
  });
}

/** Deletes a manifest by digest: every tag that pointed at it vanishes. */
export async function deleteManifest(registryUrl: string, repository: string, digest: string): Promise<void> {
  const res = await request(`${registryUrl}/v2/${repository}/manifests/${digest}`, { method: 'DELETE' });
  const text = await res.body.text();
  if (res.statusCode !== 202) throw new Error(`manifest DELETE answered ${res.statusCode}: ${text}`);
}

export interface ProxyOptions {
  /** Require a Bearer token from this proxy's own `/token` endpoint (Basic credentials checked there). */
  bearer?: { username: string; password: string; service: string };
  /** Require Basic credentials on every registry request. */
  basic?: { username: string; password: string };
  /** Answer every registry request 403. */
  denyAll?: boolean;
  /** Answer the first manifest request 429 with this `Retry-After`. */
  rateLimitOnce?: { retryAfter: string };
  /** Drop `Docker-Content-Digest` from HEAD answers (some registries do). */
  stripDigestOnHead?: boolean;
  /** Never answer registry requests (for timeouts). */
  hang?: boolean;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  authorization?: string;
  accept?: string;
}

export interface RegistryProxy {
  host: string;
  url: string;
  /** Registry (`/v2/…`) requests seen, in order. */
  requests: ProxiedRequest[];
  /** Token requests seen, in order. */
  tokenRequests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the real registry that plays the parts a public registry
 * plays: a Bearer challenge with its own token endpoint, Basic auth, a blanket 403, a 429 with
 * `Retry-After`, a HEAD without `Docker-Content-Digest`, or silence.
 */
export async function startProxy(targetUrl: string, options: ProxyOptions): Promise<RegistryProxy> {
  const requests: ProxiedRequest[] = [];
  const tokenRequests: ProxiedRequest[] = [];
  const issued = new Set<string>();
  const hanging = new Set<ServerResponse>();
  let rateLimited = false;
  let base = '';

  const record = (req: IncomingMessage): ProxiedRequest => ({
    method: req.method ?? '',
    path: req.url ?? '',
    ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    ...(req.headers.accept ? { accept: req.headers.accept } : {}),
  });

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/token')) {
      tokenRequests.push(record(req));
      const bearer = options.bearer;
      const expected = bearer
        ? `Basic ${Buffer.from(`${bearer.username}:${bearer.password}`).toString('base64')}`
        : '';
      if (!bearer || req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      const token = `tok-${randomBytes(8).toString('hex')}`;
      issued.add(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    requests.push(record(req));
    if (options.hang) {
      hanging.add(res);
      return;
    }
    if (options.denyAll) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
      return;
    }
    if (options.bearer) {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !issued.has(auth.slice('Bearer '.length))) {
        const name = /^\/v2\/(.+)\/manifests\//.exec(path)?.[1];
        const scope = name ? `,scope="repository:${name}:pull"` : '';
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="${base}/token",service="${options.bearer.service}"${scope}`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
    }
    if (options.basic) {
      const expected = `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': 'Basic realm="Registry"',
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
    }
    if (options.rateLimitOnce && !rateLimited && path.includes('/manifests/')) {
      rateLimited = true;
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': options.rateLimitOnce.retryAfter,
      });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      return;
    }
    forward(req, res, targetUrl, options.stripDigestOnHead === true);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    url: base,
    requests,
    tokenRequests,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  targetUrl: string,
  stripDigestOnHead: boolean,
): void {
  const target = new URL(req.url ?? '/', targetUrl);
  const headers = { ...req.headers, host: target.host };
  delete headers.authorization;
  const upstream = httpRequest(target, { method: req.method, headers }, (up) => {
    const out = { ...up.headers };
    if (stripDigestOnHead && req.method === 'HEAD') delete out['docker-content-digest'];
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  return freePort();
}
