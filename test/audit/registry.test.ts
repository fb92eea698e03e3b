import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { canonicalImageRef, type ImageRef, parseImageRef } from '../../src/audit/image-ref.js';
import { type ImageVerdict, type RegistryOptions, verifyImages } from '../../src/audit/registry/index.js';
import type { Clock } from '../../src/lib/clock.js';
import { missingBinaryMessage } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import {
  deleteManifest,
  type ProxyOptions,
  pushImage,
  type RegistryProxy,
  type RunningRegistry,
  registryBinary,
  startProxy,
  startRegistry,
} from '../helpers/registry.js';

/**
 * `audit --registry` against a real registry (Debian's docker-registry on loopback), with a proxy
 * in front of it where a public registry's behaviour is needed: Bearer tokens, Basic auth, 403,
 * 429, a HEAD without digest, a registry that never answers.
 */
const binary = registryBinary();

function ref(raw: string): ImageRef {
  const parsed = parseImageRef(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.ref;
}

/** A clock whose sleeps return at once and are recorded: the 429 wait without waiting. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms) };
}

describe('audit --registry against a real registry', {
  skip: binary ? false : missingBinaryMessage('docker-registry', 'docker-registry'),
}, () => {
  let registry: RunningRegistry;
  let dir: string;
  const proxies: RegistryProxy[] = [];
  const digests: Record<string, string> = {};

  const options = (extra: Partial<RegistryOptions> = {}): RegistryOptions => ({
    concurrency: 8,
    timeoutMs: 5000,
    insecureRegistries: [],
    authFile: join(dir, 'no-such-auth.json'),
    ...extra,
  });

  const verdictOf = async (raw: string, extra: Partial<RegistryOptions> = {}): Promise<ImageVerdict> => {
    const r = ref(raw);
    const verdicts = await verifyImages([r], options(extra));
    const v = verdicts.get(canonicalImageRef(r));
    assert.ok(v, `a verdict for ${raw}`);
    return v;
  };

  const proxy = async (opts: ProxyOptions): Promise<RegistryProxy> => {
    const p = await startProxy(registry.url, opts);
    proxies.push(p);
    return p;
  };

  const writeAuthFile = (name: string, auths: Record<string, unknown>): string => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ auths }));
    return file;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alertpath-registry-test-'));
    registry = await startRegistry();
    digests.oci = await pushImage(registry.url, 'team/app', '1.0', 'oci');
    digests.docker = await pushImage(registry.url, 'team/docker-app', '2.0', 'docker');
    digests.ociIndex = await pushImage(registry.url, 'team/multi', '3.0', 'oci-index');
    digests.dockerList = await pushImage(registry.url, 'team/multi-docker', '4.0', 'docker-list');
    digests.gone = await pushImage(registry.url, 'team/app', 'old', 'oci');
    await deleteManifest(registry.url, 'team/app', digests.gone);
  });

  after(async () => {
    for (const p of proxies) await p.close();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds tags of every manifest type (OCI manifest and index, Docker manifest and list) with one HEAD each', async () => {
    const h = registry.host;
    const refs = [
      `${h}/team/app:1.0`,
      `${h}/team/docker-app:2.0`,
      `${h}/team/multi:3.0`,
      `${h}/team/multi-docker:4.0`,
    ];
    const before = registry.countRequests('HEAD', '/v2/team/');
    const verdicts = await verifyImages(refs.map(ref), options());
    assert.deepEqual(
      [...verdicts.values()],
      [
        { status: 'present', digest: digests.oci },
        { status: 'present', digest: digests.docker },
        { status: 'present', digest: digests.ociIndex },
        { status: 'present', digest: digests.dockerList },
      ],
    );
    assert.equal(registry.countRequests('HEAD', '/v2/team/') - before, 4);
  });

  it('finds an image by digest, and by tag@digest', async () => {
    assert.deepEqual(await verdictOf(`${registry.host}/team/app@${digests.oci}`), {
      status: 'present',
      digest: digests.oci,
    });
    assert.deepEqual(await verdictOf(`${registry.host}/team/multi:whatever@${digests.ociIndex}`), {
      status: 'present',
      digest: digests.ociIndex,
    });
  });

  it('reports a tag whose manifest was deleted, a tag never pushed, a vanished repository and an unknown digest as missing', async () => {
    const h = registry.host;
    const unknownDigest = `sha256:${'0'.repeat(64)}`;
    const refs = [
      `${h}/team/app:old`,
      `${h}/team/app:9.9`,
      `${h}/team/vanished:1.0`,
      `${h}/team/app@${unknownDigest}`,
    ];
    const verdicts = await verifyImages(refs.map(ref), options());
    for (const [key, v] of verdicts) {
      assert.equal(v.status, 'missing', `${key}: ${JSON.stringify(v)}`);
      assert.match((v as { detail: string }).detail, new RegExp(`HTTP 404.*${h.replace(/\./g, '\\.')}`));
    }
    assert.equal(verdicts.size, 4);
    // no tag means :latest, which was never pushed
    const untagged = await verdictOf(`${h}/team/app`);
    assert.equal(untagged.status, 'missing');
    assert.match((untagged as { detail: string }).detail, /checked :latest/);
  });

  it('checks each unique reference once, however often it appears (access log: one HEAD)', async () => {
    const raw = `${registry.host}/team/docker-app:2.0`;
    const before = registry.countRequests('HEAD', '/v2/team/docker-app/manifests/2.0');
    // the same reference used in three files, once with surrounding spaces
    const verdicts = await verifyImages([ref(raw), ref(raw), ref(`  ${raw} `)], options());
    assert.equal(verdicts.size, 1);
    assert.equal(registry.countRequests('HEAD', '/v2/team/docker-app/manifests/2.0') - before, 1);
  });

  it('falls back to GET only when the HEAD answer has no Docker-Content-Digest', async () => {
    const p = await proxy({ stripDigestOnHead: true });
    const gets = registry.countRequests('GET', '/v2/team/app/manifests/');
    assert.deepEqual(await verdictOf(`${p.host}/team/app:1.0`), { status: 'present', digest: digests.oci });
    assert.deepEqual(
      p.requests.map((r) => r.method),
      ['HEAD', 'GET'],
    );
    assert.equal(registry.countRequests('GET', '/v2/team/app/manifests/') - gets, 1);
  });

  it('sends the OCI index, OCI manifest, Docker list and Docker manifest media types in Accept', async () => {
    const p = await proxy({});
    await verdictOf(`${p.host}/team/app:1.0`);
    const accept = p.requests[0]?.accept ?? '';
    for (const type of [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ]) {
      assert.ok(accept.includes(type), `Accept lacks ${type}: ${accept}`);
    }
  });

  describe('Bearer token auth', () => {
    const bearer = { username: 'ci-bot', password: 's3cret:with:colons', service: 'test-registry' };

    it('answers the challenge with a token fetched with credentials from the auth file', async () => {
      const p = await proxy({ bearer });
      const authFile = writeAuthFile('bearer-auth.json', {
        [p.host]: { auth: Buffer.from(`${bearer.username}:${bearer.password}`).toString('base64') },
      });
      const verdicts = await verifyImages(
        [ref(`${p.host}/team/app:1.0`), ref(`${p.host}/team/docker-app:2.0`), ref(`${p.host}/team/gone:1`)],
        options({ authFile }),
      );
      assert.deepEqual(
        [...verdicts.values()].map((v) => v.status),
        ['present', 'present', 'missing'],
      );
      assert.ok(p.tokenRequests.length >= 1);
      for (const t of p.tokenRequests) {
        const query = new URL(t.path, 'http://x').searchParams;
        assert.equal(query.get('service'), 'test-registry');
        assert.match(query.getAll('scope').join(' '), /^repository:team\/[a-z-]+:pull/);
        assert.equal(t.authorization, `Basic ${Buffer.from('ci-bot:s3cret:with:colons').toString('base64')}`);
      }
      // every repository got its token; no manifest request was answered without one
      const authorized = p.requests.filter((r) => r.authorization?.startsWith('Bearer '));
      assert.equal(authorized.length, 3);
    });

    it('skips the 401 round trip on a registry it has seen, and reuses a repository token', async () => {
      const p = await proxy({ bearer });
      const authFile = writeAuthFile('bearer-reuse.json', {
        [p.host]: { auth: Buffer.from(`${bearer.username}:${bearer.password}`).toString('base64') },
      });
      const raws = ['team/app:1.0', 'team/docker-app:2.0', 'team/multi:3.0', `team/app@${digests.oci}`];
      const verdicts = await verifyImages(
        raws.map((r) => ref(`${p.host}/${r}`)),
        options({ authFile, concurrency: 1 }),
      );
      assert.deepEqual(
        [...verdicts.values()].map((v) => v.status),
        ['present', 'present', 'present', 'present'],
      );
      assert.equal(p.requests.filter((r) => r.authorization === undefined).length, 1, 'one 401 challenge');
      assert.equal(p.requests.length, 5);
      assert.equal(p.tokenRequests.length, 3, 'one token per repository');
    });

    it('reads username/password entries too', async () => {
      const p = await proxy({ bearer });
      const authFile = writeAuthFile('bearer-userpass.json', {
        [`http://${p.host}/v2/`]: { username: bearer.username, password: bearer.password },
      });
      assert.equal((await verdictOf(`${p.host}/team/app:1.0`, { authFile })).status, 'present');
    });

    it('is unverified, never missing, when the token endpoint refuses the credentials', async () => {
      const p = await proxy({ bearer });
      const authFile = writeAuthFile('bearer-wrong.json', {
        [p.host]: { auth: Buffer.from('ci-bot:wrong').toString('base64') },
      });
      const v = await verdictOf(`${p.host}/team/gone:1`, { authFile });
      assert.equal(v.status, 'unverified');
      assert.match(
        (v as { detail: string }).detail,
        /token request .* refused \(HTTP 401\) with the configured credentials/,
      );
      assert.doesNotMatch((v as { detail: string }).detail, /wrong/);
    });

    it('asks for an anonymous token when the auth file has nothing for the registry', async () => {
      const p = await proxy({ bearer });
      const v = await verdictOf(`${p.host}/team/app:1.0`);
      assert.equal(v.status, 'unverified');
      assert.match((v as { detail: string }).detail, /anonymously/);
      assert.equal(p.tokenRequests[0]?.authorization, undefined);
    });
  });

  it('sends Basic credentials when the registry asks for Basic auth', async () => {
    const basic = { username: 'reader', password: 'pw' };
    const p = await proxy({ basic });
    const authFile = writeAuthFile('basic.json', {
      [p.host]: { auth: Buffer.from('reader:pw').toString('base64') },
    });
    assert.equal((await verdictOf(`${p.host}/team/app:1.0`, { authFile })).status, 'present');
    const without = await verdictOf(`${p.host}/team/app:1.0`);
    assert.equal(without.status, 'unverified');
    assert.match((without as { detail: string }).detail, /Basic auth/);
  });

  it('treats a registry that denies everything (403) as unverified, not missing', async () => {
    const p = await proxy({ denyAll: true });
    const v = await verdictOf(`${p.host}/team/vanished:1.0`);
    assert.equal(v.status, 'unverified');
    assert.match((v as { detail: string }).detail, /HTTP 403/);
  });

  it('treats a 5xx as unverified', async () => {
    const port = await freePort();
    const p = await startProxy(`http://127.0.0.1:${port}`, {}); // upstream is closed: the proxy answers 502
    proxies.push(p);
    const v = await verdictOf(`${p.host}/team/app:1.0`);
    assert.equal(v.status, 'unverified');
    assert.match((v as { detail: string }).detail, /HTTP 502/);
  });

  it('waits out a 429 for its Retry-After (seconds), then tries once more', async () => {
    const p = await proxy({ rateLimitOnce: { retryAfter: '7' } });
    const clock = recordingClock();
    assert.deepEqual(await verdictOf(`${p.host}/team/app:1.0`, { clock }), {
      status: 'present',
      digest: digests.oci,
    });
    assert.deepEqual(clock.sleeps, [7000]);
    assert.equal(p.requests.length, 2);
  });

  it('waits out a 429 whose Retry-After is an HTTP date', async () => {
    const p = await proxy({ rateLimitOnce: { retryAfter: new Date(Date.now() + 20_000).toUTCString() } });
    const clock = recordingClock();
    assert.equal((await verdictOf(`${p.host}/team/app:1.0`, { clock })).status, 'present');
    assert.equal(clock.sleeps.length, 1);
    assert.ok(clock.sleeps[0]! > 15_000 && clock.sleeps[0]! <= 20_000, `waited ${clock.sleeps[0]} ms`);
  });

  it('does not sleep for an hour when a 429 asks for it: unverified', async () => {
    const p = await proxy({ rateLimitOnce: { retryAfter: '3600' } });
    const clock = recordingClock();
    const v = await verdictOf(`${p.host}/team/app:1.0`, { clock });
    assert.equal(v.status, 'unverified');
    assert.match((v as { detail: string }).detail, /HTTP 429/);
    assert.deepEqual(clock.sleeps, []);
  });

  it('treats an unreachable registry (closed loopback port) as unverified', async () => {
    const port = await freePort();
    const v = await verdictOf(`127.0.0.1:${port}/team/app:1.0`);
    assert.equal(v.status, 'unverified');
    assert.match((v as { detail: string }).detail, /unreachable \(ECONNREFUSED\)/);
  });

  it('treats a registry that never answers as unverified after the per-request timeout', async () => {
    const p = await proxy({ hang: true });
    const v = await verdictOf(`${p.host}/team/app:1.0`, { timeoutMs: 300 });
    assert.equal(v.status, 'unverified');
    assert.match((v as { detail: string }).detail, /no answer within 300 ms/);
  });

  it('prints one summary line at the end when stderr is not a TTY', async () => {
    const chunks: string[] = [];
    const progress = Object.assign(
      new (await import('node:stream')).Writable({
        write(chunk, _enc, cb) {
          chunks.push(String(chunk));
          cb();
        },
      }),
      { isTTY: false },
    );
    const h = registry.host;
    await verifyImages([ref(`${h}/team/app:1.0`), ref(`${h}/team/app:9.9`)], options({ progress }));
    assert.deepEqual(chunks, ['checked 2 images on 1 registry: 1 missing, 0 unverified\n']);
  });

  it('draws a progress bar when stderr is a TTY', async () => {
    const chunks: string[] = [];
    const progress = Object.assign(
      new (await import('node:stream')).Writable({
        write(chunk, _enc, cb) {
          chunks.push(String(chunk));
          cb();
        },
      }),
      { isTTY: true },
    );
    const h = registry.host;
    await verifyImages([ref(`${h}/team/app:1.0`), ref(`${h}/team/docker-app:2.0`)], options({ progress }));
    const out = chunks.join('');
    assert.match(out, /\r\[\.{20}\] 0\/2 images/);
    assert.match(out, /\r\[#{20}\] 2\/2 images/);
    assert.match(out, /checked 2 images on 1 registry: 0 missing, 0 unverified\n$/);
  });
});
