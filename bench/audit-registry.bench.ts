import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { type ImageRef, parseImageRef } from '../src/audit/image-ref.js';
import { verifyImages } from '../src/audit/registry/index.js';
import {
  MEDIA,
  pushImage,
  putManifest,
  registryBinary,
  startProxy,
  startRegistry,
} from '../test/helpers/registry.js';

/**
 * `audit --registry` on 500 unique references (450 present across 25 repositories, 50 missing)
 * against Debian's docker-registry on loopback, concurrency 8 (4 per registry). Goal: < 10 s.
 * Run twice: straight to the registry, and through a Bearer-token proxy with credentials.
 */
const REPOS = 25;
const TAGS_PER_REPO = 18;
const MISSING = 50;
const CONCURRENCY = 8;

export default async function (): Promise<void> {
  if (!registryBinary()) {
    process.stdout.write('SKIPPED: docker-registry not installed (Debian package docker-registry)\n');
    return;
  }
  const registry = await startRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'alertpath-bench-registry-'));
  try {
    const t0 = performance.now();
    const raws: string[] = [];
    for (let r = 0; r < REPOS; r++) {
      const repo = `bench/app-${r}`;
      await pushImage(registry.url, repo, 'base', r % 2 === 0 ? 'oci' : 'docker');
      const res = await request(`${registry.url}/v2/${repo}/manifests/base`, {
        headers: { accept: `${MEDIA.ociManifest}, ${MEDIA.dockerManifest}` },
      });
      const type = String(res.headers['content-type']);
      const manifest = (await res.body.json()) as object;
      await Promise.all(
        Array.from({ length: TAGS_PER_REPO }, (_, t) =>
          putManifest(registry.url, repo, `1.${t}`, type, manifest),
        ),
      );
      for (let t = 0; t < TAGS_PER_REPO; t++) raws.push(`${registry.host}/${repo}:1.${t}`);
    }
    for (let m = 0; m < MISSING; m++) raws.push(`${registry.host}/bench/app-${m % REPOS}:9.${m}`);
    process.stdout.write(
      `pushed ${REPOS * TAGS_PER_REPO} tags in ${REPOS} repositories in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`,
    );

    const refs = raws.map((raw) => {
      const parsed = parseImageRef(raw);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.ref;
    });
    const authFile = join(dir, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: {} }));

    const run = async (label: string, list: ImageRef[], file: string) => {
      const heads = registry.countRequests('HEAD');
      const gets = registry.countRequests('GET');
      const started = performance.now();
      const verdicts = await verifyImages(list, {
        concurrency: CONCURRENCY,
        timeoutMs: 10_000,
        insecureRegistries: [],
        authFile: file,
      });
      const seconds = (performance.now() - started) / 1000;
      const counts = { present: 0, missing: 0, unverified: 0 };
      for (const v of verdicts.values()) counts[v.status]++;
      process.stdout.write(
        `${label}: ${verdicts.size} unique references in ${seconds.toFixed(2)} s (goal < 10 s), ` +
          `${counts.present} present, ${counts.missing} missing, ${counts.unverified} unverified; ` +
          `registry saw ${registry.countRequests('HEAD') - heads} HEAD + ${registry.countRequests('GET') - gets} GET\n`,
      );
    };

    await run('direct', refs, authFile);

    const proxy = await startProxy(registry.url, {
      bearer: { username: 'bench', password: 'bench-pw', service: 'bench' },
    });
    try {
      const viaProxy = refs.map((r) => ({
        ...r,
        raw: r.raw.replace(registry.host, proxy.host),
        host: proxy.host,
      }));
      const proxyAuth = join(dir, 'proxy-auth.json');
      writeFileSync(
        proxyAuth,
        JSON.stringify({
          auths: { [proxy.host]: { auth: Buffer.from('bench:bench-pw').toString('base64') } },
        }),
      );
      await run('bearer token', viaProxy, proxyAuth);
      process.stdout.write(
        `bearer token: ${proxy.requests.length} registry requests (incl. 401 challenges), ${proxy.tokenRequests.length} token requests\n`,
      );
    } finally {
      await proxy.close();
    }
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
