import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingBinaryMessage, repoRoot, runCli } from '../helpers/cli.js';
import {
  pushImage,
  type RegistryProxy,
  type RunningRegistry,
  registryBinary,
  startProxy,
  startRegistry,
} from '../helpers/registry.js';

/**
 * `alertpath audit --registry DIR` end to end: every source of image references (workload
 * containers, initContainers, ephemeralContainers; Helm values objects and strings; compose;
 * Dockerfile FROM; Ansible) checked against a real registry on loopback.
 *
 * The fixtures name `registry.test:5000`; each test copies them to a temp dir with that host
 * rewritten to the running registry. Images named `*-ok` and `team/shared` are pushed before the
 * first run; `*-gone` ones are not (until the "all present" run).
 */
const binary = registryBinary();
const FIXTURES = join(repoRoot, 'test/fixtures/audit/registry');
const PLACEHOLDER = 'registry.test:5000';
const PRESENT = [
  'container-ok',
  'pod-ok',
  'helm-object-ok',
  'compose-ok',
  'dockerfile-ok',
  'ansible-ok',
  'shared',
];
const GONE = [
  'init-gone',
  'container-gone',
  'ephemeral-gone',
  'helm-object-gone',
  'helm-string-gone',
  'compose-gone',
  'dockerfile-gone',
  'ansible-gone',
];

interface JsonFinding {
  rule: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
}

function copyFixtures(host: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertpath-audit-registry-'));
  cpSync(FIXTURES, dir, { recursive: true });
  for (const file of walk(dir)) {
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(PLACEHOLDER, host));
  }
  return dir;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Where `needle` is written in the copied fixtures: relative file and 1-based line. */
function whereWritten(dir: string, needle: string): Array<{ file: string; line: number; text: string }> {
  const out: Array<{ file: string; line: number; text: string }> = [];
  for (const file of walk(dir)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text.includes(needle)) out.push({ file: relative(dir, file), line: i + 1, text });
      });
  }
  return out;
}

function parseReport(stdout: string): JsonFinding[] {
  const doc = JSON.parse(stdout) as { findings: JsonFinding[] };
  return doc.findings;
}

const sameFile = (reported: string, expected: string) =>
  reported === expected || reported.endsWith(`/${expected}`) || reported === `./${expected}`;

describe('alertpath audit --registry (CLI, real registry)', {
  skip: binary ? false : missingBinaryMessage('docker-registry', 'docker-registry'),
}, () => {
  let registry: RunningRegistry;
  let proxy: RegistryProxy | undefined;
  const dirs: string[] = [];
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    REGISTRY_AUTH_FILE: join(tmpdir(), 'alertpath-no-such-auth-file.json'),
    NO_COLOR: '1',
    ...extra,
  });

  before(async () => {
    registry = await startRegistry();
    for (const name of PRESENT) await pushImage(registry.url, `team/${name}`, '1.0');
  });

  after(async () => {
    await proxy?.close();
    await registry?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('reports image-missing at the file:line of every source that names a vanished image, and exits 1', async () => {
    const dir = copyFixtures(registry.host);
    dirs.push(dir);
    const sharedHeads = registry.countRequests('HEAD', '/v2/team/shared/manifests/1.0');
    const res = await runCli(['audit', '--registry', '--format', 'json', dir], { env: env() });
    assert.equal(res.code, 1, `exit code; stderr: ${res.stderr}`);
    const findings = parseReport(res.stdout);
    const missing = findings.filter((f) => f.rule === 'image-missing');

    for (const name of GONE) {
      const places = whereWritten(dir, `team/${name}`);
      assert.equal(places.length, 1, `fixture names ${name} once`);
      const place = places[0]!;
      // the Helm object form may be reported at its `image:` key, two lines above `repository:`
      const lines = name === 'helm-object-gone' ? [place.line - 2, place.line - 1, place.line] : [place.line];
      const hit = missing.find((f) => sameFile(f.file, place.file) && lines.includes(f.line));
      assert.ok(
        hit,
        `image-missing for ${name} at ${place.file}:${place.line}; got ${JSON.stringify(missing)}`,
      );
      assert.equal(hit.severity, 'error');
      assert.ok(hit.column >= 1, 'a real column');
      assert.match(hit.message, /404/);
    }
    assert.equal(missing.length, GONE.length, `only the vanished images: ${JSON.stringify(missing)}`);
    for (const name of PRESENT) {
      assert.ok(!missing.some((f) => f.message.includes(`team/${name}:`)), `${name} is present`);
    }
    // stage names and ARG-only references are not looked up, so nothing is unverified
    assert.deepEqual(
      findings.filter((f) => f.rule === 'image-unverified'),
      [],
    );
    assert.equal(registry.countRequests('HEAD', '/v2/team/never-checked/'), 0);
    // team/shared:1.0 is named in three files and asked for once
    assert.equal(registry.countRequests('HEAD', '/v2/team/shared/manifests/1.0') - sharedHeads, 1);
    // stderr is not a TTY: one summary line, no progress bar
    assert.match(res.stderr, /checked 15 images on 1 registry: 8 missing, 0 unverified/);
    assert.doesNotMatch(res.stderr, /\r/);
  });

  it('exits 0 once every image exists', async () => {
    for (const name of GONE) await pushImage(registry.url, `team/${name}`, '1.0');
    const dir = copyFixtures(registry.host);
    dirs.push(dir);
    const res = await runCli(['audit', '--registry', '--format', 'json', dir], { env: env() });
    assert.equal(res.code, 0, `exit code; stdout: ${res.stdout}\nstderr: ${res.stderr}`);
    const findings = parseReport(res.stdout);
    assert.deepEqual(
      findings.filter((f) => f.rule === 'image-missing' || f.rule === 'image-unverified'),
      [],
    );
  });

  it('authenticates with REGISTRY_AUTH_FILE through a Bearer token registry', async () => {
    proxy = await startProxy(registry.url, {
      bearer: { username: 'ci', password: 'token-pw', service: 'fixture-registry' },
    });
    const dir = copyFixtures(proxy.host);
    dirs.push(dir);
    const authFile = join(dir, '..', `${dir.split('/').pop()}-auth.json`);
    writeFileSync(
      authFile,
      JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from('ci:token-pw').toString('base64') } } }),
    );
    dirs.push(authFile);
    const res = await runCli(['audit', '--registry', '--format', 'json', dir], {
      env: env({ REGISTRY_AUTH_FILE: authFile }),
    });
    assert.equal(res.code, 0, `exit code; stdout: ${res.stdout}\nstderr: ${res.stderr}`);
    assert.ok(proxy.tokenRequests.length > 0, 'a token was requested');
    assert.doesNotMatch(res.stdout + res.stderr, /token-pw|tok-/);
  });

  it('stops with exit 2 and the file name when the auth file is not JSON', async () => {
    const dir = copyFixtures(registry.host);
    dirs.push(dir);
    const authFile = join(dir, 'broken-auth.json');
    writeFileSync(authFile, '{"auths": {');
    const res = await runCli(['audit', '--registry', dir], { env: env({ REGISTRY_AUTH_FILE: authFile }) });
    assert.equal(res.code, 2, `stdout: ${res.stdout}\nstderr: ${res.stderr}`);
    assert.match(
      res.stderr,
      new RegExp(`${authFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: registry auth file is not valid JSON`),
    );
    assert.equal(res.stderr.trim().split('\n').length, 1, 'one line');
  });

  it('reports a registry that cannot be reached as image-unverified (a warning), not missing', async () => {
    const dir = copyFixtures('127.0.0.1:9'); // discard port: nothing listens
    dirs.push(dir);
    const res = await runCli(
      ['audit', '--registry', '--registry-timeout', '2s', '--format', 'json', '--fail-on', 'warning', dir],
      { env: env() },
    );
    assert.equal(res.code, 1, `stderr: ${res.stderr}`);
    const findings = parseReport(res.stdout);
    assert.equal(findings.filter((f) => f.rule === 'image-missing').length, 0);
    const unverified = findings.filter((f) => f.rule === 'image-unverified');
    assert.equal(unverified.length, PRESENT.length + GONE.length + 2); // team/shared is written 3 times
    for (const f of unverified) assert.equal(f.severity, 'warning');
  });
});
