/**
 * Container image references, parsed and normalised the way the distribution `reference` grammar
 * and Docker do it. Pure: the audit's static rules and the registry walk share this one parser.
 *
 * - The first path part is a registry host only if it contains `.` or `:`, or is `localhost`;
 *   otherwise the image is on Docker Hub (`docker.io`) and one-part names get `library/`.
 * - `registry:5000/app` is host `registry:5000`, repository `app`, and has **no** tag.
 */
export interface ImageRef {
  /** As written, trimmed. */
  raw: string;
  /** Registry host as written or implied: `docker.io`, `ghcr.io`, `registry:5000`, `localhost`. */
  host: string;
  /** Normalised repository path: `library/nginx`, `bitnami/redis`, `app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export type ParsedImageRef = { ok: true; ref: ImageRef } | { ok: false; reason: string };

const DOCKER_HUB = 'docker.io';
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HOST =
  /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::\d{1,5})?$/;
const MAX_NAME = 255;

export function parseImageRef(input: string): ParsedImageRef {
  const raw = input.trim();
  if (raw === '') return fail('empty image reference');
  if (/\s/.test(raw)) return fail(`image reference "${raw}" contains whitespace`);

  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return fail(`image reference "${raw}" has an invalid digest "${digest}"`);
  }

  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) return fail(`image reference "${raw}" has an invalid tag "${tag}"`);
  }

  const parts = rest.split('/');
  let host = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!HOST.test(first)) return fail(`image reference "${raw}" has an invalid registry host "${first}"`);
    host = first;
    parts.shift();
  }
  if (parts.length === 0 || parts.some((p) => !PATH_COMPONENT.test(p))) {
    return fail(
      /[A-Z]/.test(rest)
        ? `image reference "${raw}" must be lowercase`
        : `image reference "${raw}" is not a valid repository name`,
    );
  }
  if (host === 'index.docker.io' || host === 'registry-1.docker.io') host = DOCKER_HUB;
  if (host === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (repository.length > MAX_NAME)
    return fail(`image reference "${raw}" has a name over ${MAX_NAME} characters`);

  const ref: ImageRef = { raw, host, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return { ok: true, ref };
}

/** One spelling per image: the key under which each unique reference is checked once. */
export function canonicalImageRef(ref: ImageRef): string {
  return `${ref.host}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${
    ref.digest !== undefined ? `@${ref.digest}` : ''
  }`;
}

/** The host to send distribution API requests to (`docker.io` is served by `registry-1.docker.io`). */
export function registryEndpointHost(ref: ImageRef): string {
  return ref.host === DOCKER_HUB ? 'registry-1.docker.io' : ref.host;
}

/** True when the text uses a build ARG or compose variable (`$X`, `${X}`), so it cannot be checked. */
export function hasBuildArg(raw: string): boolean {
  return /\$(?:\{[^}]*\}|[A-Za-z_])/.test(raw);
}

/** The reference a pull would use when none is given: `latest`, as Docker does. */
export function effectiveReference(ref: ImageRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

function fail(reason: string): ParsedImageRef {
  return { ok: false, reason };
}
