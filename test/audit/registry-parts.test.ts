import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseChallenges, pickChallenge } from '../../src/audit/registry/challenge.js';
import {
  authFilePath,
  findCredentials,
  loadAuthFile,
  normaliseAuthKey,
  parseAuthFile,
} from '../../src/audit/registry/credentials.js';
import { checkRealm, isLoopbackHost, registryScheme } from '../../src/audit/registry/endpoint.js';
import { KeyedLimiter } from '../../src/audit/registry/limiter.js';
import { progressBar, summaryLine } from '../../src/audit/registry/progress.js';
import { decideRateLimitWait, parseRetryAfter } from '../../src/audit/registry/retry-after.js';
import { AppError } from '../../src/lib/errors.js';

/** The pure parts of the registry walk, without a network. */

describe('WWW-Authenticate challenges', () => {
  it('parses a Docker Hub Bearer challenge', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    );
    assert.deepEqual(c, {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull',
      },
    });
  });

  it('keeps commas inside quoted values, unescapes, and accepts tokens and odd spacing', () => {
    const [c] = parseChallenges(
      'bearer  Realm = "https://r.example/token" , scope="repository:a/b:pull,push", service=reg.example, error="say \\"hi\\""',
    );
    assert.deepEqual(c?.params, {
      realm: 'https://r.example/token',
      scope: 'repository:a/b:pull,push',
      service: 'reg.example',
      error: 'say "hi"',
    });
  });

  it('splits several challenges and prefers Bearer, then Basic', () => {
    const list = parseChallenges(
      'Basic realm="Registry", Bearer realm="https://t.example/token",service="x"',
    );
    assert.deepEqual(
      list.map((c) => c.scheme),
      ['basic', 'bearer'],
    );
    assert.equal(pickChallenge(list)?.scheme, 'bearer');
    assert.equal(pickChallenge(parseChallenges(['Negotiate abc==', 'Basic realm="r"']))?.scheme, 'basic');
    assert.equal(pickChallenge(parseChallenges('Negotiate')), undefined);
    assert.deepEqual(parseChallenges(undefined), []);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseChallenges(s);
      }),
    );
  });
});

describe('registry auth file', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('reads base64 auth and username/password entries; Docker Hub is keyed https://index.docker.io/v1/', () => {
    const file = parseAuthFile(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
          'ghcr.io': { username: 'gh', password: 'ghp' },
          'https://registry.example:5000/v2/': { auth: b64('r:rp') },
          'empty.example': {},
        },
        credsStore: 'desktop',
      }),
      'config.json',
    );
    assert.deepEqual(findCredentials(file, 'docker.io'), { username: 'hubuser', password: 'hub:pass' });
    assert.deepEqual(findCredentials(file, 'ghcr.io'), { username: 'gh', password: 'ghp' });
    assert.deepEqual(findCredentials(file, 'registry.example:5000'), { username: 'r', password: 'rp' });
    assert.equal(findCredentials(file, 'registry.example'), undefined);
    assert.equal(findCredentials(file, 'empty.example'), undefined);
    assert.equal(findCredentials(file, 'quay.io'), undefined);
  });

  it('prefers the exact key over a normalised match', () => {
    const file = parseAuthFile(
      JSON.stringify({
        auths: { 'https://ghcr.io': { auth: b64('a:1') }, 'ghcr.io': { auth: b64('b:2') } },
      }),
      'f',
    );
    assert.equal(findCredentials(file, 'ghcr.io')?.username, 'b');
    assert.equal(normaliseAuthKey('https://Registry-1.Docker.io/v2/'), 'index.docker.io');
  });

  it('finds the file: explicit, REGISTRY_AUTH_FILE, $DOCKER_CONFIG, ~/.docker/config.json', () => {
    assert.equal(authFilePath('/x/auth.json', { REGISTRY_AUTH_FILE: '/y' }), '/x/auth.json');
    assert.equal(authFilePath(undefined, { REGISTRY_AUTH_FILE: '/y/auth.json' }), '/y/auth.json');
    assert.equal(authFilePath(undefined, { DOCKER_CONFIG: '/d' }), '/d/config.json');
    assert.match(authFilePath(undefined, {}), /\.docker\/config\.json$/);
  });

  it('treats a missing file as no credentials and a broken one as a config error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertpath-auth-'));
    try {
      assert.deepEqual(loadAuthFile(join(dir, 'absent.json')), { entries: [] });
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{"auths": ');
      assert.throws(
        () => loadAuthFile(broken),
        (err: unknown) =>
          err instanceof AppError && err.code === 'AP_CONFIG_INVALID' && err.message.startsWith(`${broken}:`),
      );
      assert.throws(() => parseAuthFile('{"auths": []}', 'f'), /"auths" must be an object/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('http only where it is safe', () => {
  it('speaks plain http only to loopback and --insecure-registry hosts', () => {
    assert.equal(registryScheme('127.0.0.1:5000', []), 'http');
    assert.equal(registryScheme('localhost:5000', []), 'http');
    assert.equal(registryScheme('[::1]:5000', []), 'http');
    assert.equal(registryScheme('registry.local:5000', ['registry.local:5000']), 'http');
    assert.equal(registryScheme('registry.local:5000', ['registry.local']), 'http');
    assert.equal(registryScheme('registry.local:5000', ['registry.local:6000']), 'https');
    assert.equal(registryScheme('registry-1.docker.io', []), 'https');
    assert.equal(registryScheme('10.0.0.5:5000', []), 'https');
    assert.equal(isLoopbackHost('127.1.2.3'), true);
    assert.equal(isLoopbackHost('localhost.example.com'), false);
  });

  it('follows an https realm always, and an http realm only for a plain-http registry', () => {
    assert.equal(checkRealm('https://auth.docker.io/token', 'registry-1.docker.io', []).ok, true);
    const refused = checkRealm('http://auth.example/token', 'registry.example', []);
    assert.equal(refused.ok, false);
    assert.match((refused as { reason: string }).reason, /must be https/);
    assert.equal(checkRealm('http://127.0.0.1:9000/token', '127.0.0.1:5000', []).ok, true);
    assert.equal(checkRealm('http://auth.lan/token', 'registry.lan:5000', ['registry.lan:5000']).ok, true);
    assert.equal(checkRealm('ftp://auth.example/token', '127.0.0.1:5000', []).ok, false);
    assert.equal(checkRealm('not a url', 'registry.example', []).ok, false);
    assert.equal(checkRealm('https://u:p@auth.example/token', 'registry.example', []).ok, false);
  });
});

describe('Retry-After', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0);

  it('parses delay-seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(['0'], now), 0);
    assert.equal(parseRetryAfter('Thu, 26 Nov 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('1.5', now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });

  it('waits a default second without a usable header, and refuses to wait more than a minute', () => {
    assert.deepEqual(decideRateLimitWait(undefined, now), { wait: true, ms: 1000 });
    assert.deepEqual(decideRateLimitWait('60', now), { wait: true, ms: 60_000 });
    const long = decideRateLimitWait('61', now);
    assert.equal(long.wait, false);
    assert.match((long as { reason: string }).reason, /Retry-After 61 s/);
  });
});

describe('bounded concurrency', () => {
  it('runs at most N overall and 4 per registry, and every task', async () => {
    const limiter = new KeyedLimiter(6, 4);
    const inFlight = new Map<string, number>();
    let overall = 0;
    let maxOverall = 0;
    const maxPerKey = new Map<string, number>();
    const releases: Array<() => void> = [];
    const done: string[] = [];
    const tasks = ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b', 'c'].map((key, i) =>
      limiter.run(key, async () => {
        overall++;
        inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
        maxOverall = Math.max(maxOverall, overall);
        maxPerKey.set(key, Math.max(maxPerKey.get(key) ?? 0, inFlight.get(key)!));
        await new Promise<void>((r) => releases.push(r));
        overall--;
        inFlight.set(key, inFlight.get(key)! - 1);
        done.push(`${key}${i}`);
      }),
    );
    // release one task at a time until all are done
    while (done.length < 12) {
      await new Promise((r) => setImmediate(r));
      releases.shift()?.();
    }
    await Promise.all(tasks);
    assert.equal(maxOverall, 6);
    assert.equal(maxPerKey.get('a'), 4);
    assert.ok((maxPerKey.get('b') ?? 0) <= 4);
    assert.equal(done.length, 12);
  });

  it('a busy registry does not hold slots another registry could use', async () => {
    const limiter = new KeyedLimiter(5, 4);
    const started: string[] = [];
    const gates: Array<() => void> = [];
    const run = (key: string) =>
      limiter.run(key, async () => {
        started.push(key);
        await new Promise<void>((r) => gates.push(r));
      });
    const all = [...Array.from({ length: 8 }, () => run('slow')), run('fast')];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      started.filter((k) => k === 'fast'),
      ['fast'],
    );
    assert.equal(started.length, 5);
    while (gates.length > 0 || started.length < 9) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
  });
});

describe('progress', () => {
  it('draws a bar and a summary', () => {
    assert.equal(progressBar(37, 500), '[#...................] 37/500 images');
    assert.equal(progressBar(500, 500), '[####################] 500/500 images');
    assert.equal(
      summaryLine(
        [
          { status: 'present' },
          { status: 'missing', detail: 'x' },
          { status: 'missing', detail: 'y' },
          { status: 'unverified', detail: 'z' },
        ],
        3,
      ),
      'checked 4 images on 3 registries: 2 missing, 1 unverified',
    );
    assert.equal(
      summaryLine([{ status: 'present' }], 1),
      'checked 1 image on 1 registry: 0 missing, 0 unverified',
    );
  });
});
