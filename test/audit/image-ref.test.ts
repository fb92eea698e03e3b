import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalImageRef,
  effectiveReference,
  hasBuildArg,
  parseImageRef,
  registryEndpointHost,
} from '../../src/audit/image-ref.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function parsed(raw: string) {
  const result = parseImageRef(raw);
  assert.ok(result.ok, `expected ${raw} to parse: ${result.ok ? '' : result.reason}`);
  return result.ref;
}

describe('image references', () => {
  const cases: [string, string, string, string | undefined, string | undefined][] = [
    ['nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['bitnami/redis:7.2', 'docker.io', 'bitnami/redis', '7.2', undefined],
    ['docker.io/nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', undefined],
    ['registry:5000/app', 'registry:5000', 'app', undefined, undefined],
    ['registry:5000/app:2', 'registry:5000', 'app', '2', undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/team/app:v1', 'localhost:5000', 'team/app', 'v1', undefined],
    ['ghcr.io/org/app@' + DIGEST, 'ghcr.io', 'org/app', undefined, DIGEST],
    ['ghcr.io/org/app:1.0@' + DIGEST, 'ghcr.io', 'org/app', '1.0', DIGEST],
    ['127.0.0.1:5000/a/b/c:latest', '127.0.0.1:5000', 'a/b/c', 'latest', undefined],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', undefined],
    ['quay.io/prometheus/alertmanager:v0.27.0', 'quay.io', 'prometheus/alertmanager', 'v0.27.0', undefined],
  ];
  for (const [raw, host, repository, tag, digest] of cases) {
    it(`parses ${raw}`, () => {
      const ref = parsed(raw);
      assert.equal(ref.host, host);
      assert.equal(ref.repository, repository);
      assert.equal(ref.tag, tag);
      assert.equal(ref.digest, digest);
    });
  }

  it('treats a first part without . or : as a Docker Hub namespace, not a host', () => {
    assert.equal(parsed('registry/app:1').host, 'docker.io');
    assert.equal(parsed('registry/app:1').repository, 'registry/app');
  });

  it('refuses what is not a reference, with a reason', () => {
    for (const raw of [
      '',
      'Nginx',
      'nginx:',
      'nginx@sha256:zz',
      'a b',
      'ghcr.io/',
      'foo//bar',
      'nginx:-bad',
    ]) {
      const result = parseImageRef(raw);
      assert.equal(result.ok, false, raw);
      if (!result.ok) assert.match(result.reason, /image reference|empty/);
    }
  });

  it('gives one canonical spelling per image, and the endpoint host', () => {
    assert.equal(canonicalImageRef(parsed('nginx:1')), 'docker.io/library/nginx:1');
    assert.equal(canonicalImageRef(parsed('docker.io/library/nginx:1')), 'docker.io/library/nginx:1');
    assert.equal(canonicalImageRef(parsed(`x.io/a:1@${DIGEST}`)), `x.io/a:1@${DIGEST}`);
    assert.equal(registryEndpointHost(parsed('nginx')), 'registry-1.docker.io');
    assert.equal(registryEndpointHost(parsed('registry:5000/app')), 'registry:5000');
    assert.equal(effectiveReference(parsed('nginx')), 'latest');
    assert.equal(effectiveReference(parsed(`nginx:1@${DIGEST}`)), DIGEST);
  });

  it('spots build arguments', () => {
    assert.equal(hasBuildArg('${BASE}:1'), true);
    assert.equal(hasBuildArg('node:$VERSION'), true);
    assert.equal(hasBuildArg('node:20'), false);
  });
});
