import { createHash } from 'node:crypto';
import { type Dispatcher, request } from 'undici';
import type { Clock } from '../../lib/clock.js';
import { effectiveReference, type ImageRef, registryEndpointHost } from '../image-ref.js';
import { type AuthChallenge, parseChallenges, pickChallenge } from './challenge.js';
import { basicAuthorization, type Credentials } from './credentials.js';
import { checkRealm, registryScheme } from './endpoint.js';
import { decideRateLimitWait } from './retry-after.js';
import type { ImageVerdict } from './types.js';

/**
 * The OCI distribution client behind `audit --registry`: does this manifest exist?
 *
 * `HEAD /v2/<name>/manifests/<tag|digest>` with every manifest media type in `Accept`; a GET only
 * when the HEAD carries no `Docker-Content-Digest`. A 401 is answered once (Bearer token or Basic);
 * a 429 is waited out once. Only a 404 is "missing": every failure to get an answer is "unverified".
 */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const USER_AGENT = 'alertpath-audit';
const MAX_REDIRECTS = 3;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_TOKEN_BYTES = 1024 * 1024;
/** Tokens without `expires_in` live 60 s (distribution token spec); renew a little early. */
const DEFAULT_TOKEN_SECONDS = 60;
const TOKEN_MARGIN_MS = 5_000;

export interface ClientDeps {
  dispatcher: Dispatcher;
  clock: Clock;
  timeoutMs: number;
  insecureRegistries: readonly string[];
  /** Credentials for an image host as written (`docker.io`, `ghcr.io`, `registry:5000`). */
  credentials: (imageHost: string) => Credentials | undefined;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
  /** Where the reply came from (after redirects). */
  url: string;
}

type Sent = { ok: true; reply: Reply } | { ok: false; detail: string };
type Authorized = { ok: true; header: string; expiresInSeconds?: number } | { ok: false; detail: string };

interface TokenEntry {
  header: Promise<Authorized>;
  expiresAt: number;
}

export class RegistryClient {
  /** The auth scheme each registry endpoint asked for last, so later repositories skip the 401. */
  private readonly knownChallenge = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, TokenEntry>();

  constructor(private readonly deps: ClientDeps) {}

  async check(ref: ImageRef): Promise<ImageVerdict> {
    const endpoint = registryEndpointHost(ref);
    const scheme = registryScheme(endpoint, this.deps.insecureRegistries);
    const url = `${scheme}://${endpoint}/v2/${ref.repository}/manifests/${effectiveReference(ref)}`;

    let authorization = await this.preemptiveAuthorization(ref, endpoint);
    let sent = await this.send('HEAD', url, authorization, true);
    if (!sent.ok) return unverified(sent.detail);

    if (sent.reply.status === 401) {
      const challenge = pickChallenge(parseChallenges(sent.reply.headers['www-authenticate']));
      if (!challenge) return unverified(`HTTP 401 without a Bearer or Basic challenge at ${endpoint}`);
      // A token we sent and had refused is not asked for from the cache again.
      const auth = await this.authorize(
        challenge,
        ref,
        endpoint,
        authorization === undefined ? 'answer' : 'renew',
      );
      if (!auth.ok) return unverified(auth.detail);
      const refusedAgain = auth.header === authorization;
      authorization = auth.header;
      if (!refusedAgain) {
        sent = await this.send('HEAD', url, authorization, true);
        if (!sent.ok) return unverified(sent.detail);
      }
      if (refusedAgain || sent.reply.status === 401) {
        return unverified(
          `not authorized (HTTP 401 after authenticating) at ${endpoint}; some registries answer 401 for repositories that do not exist`,
        );
      }
    }

    let reply = sent.reply;
    if (reply.status >= 200 && reply.status < 300) {
      const digest = header(reply.headers, 'docker-content-digest');
      if (digest) return { status: 'present', digest };
      const got = await this.send('GET', url, authorization, true);
      if (!got.ok) return unverified(got.detail);
      reply = got.reply;
      if (reply.status >= 200 && reply.status < 300) {
        const fromGet = header(reply.headers, 'docker-content-digest');
        if (fromGet) return { status: 'present', digest: fromGet };
        if (reply.body) return { status: 'present', digest: `sha256:${sha256(reply.body)}` };
        return { status: 'present' };
      }
    }
    const verdict = verdictForFailure(reply.status, endpoint);
    if (verdict.status === 'missing' && ref.tag === undefined && ref.digest === undefined) {
      verdict.detail += ' (no tag given: checked :latest)';
    }
    return verdict;
  }

  /** A header for a registry whose auth scheme is already known, without waiting for its 401. */
  private async preemptiveAuthorization(ref: ImageRef, endpoint: string): Promise<string | undefined> {
    const challenge = this.knownChallenge.get(endpoint);
    if (!challenge) return undefined;
    const auth = await this.authorize(challenge, ref, endpoint, 'preemptive');
    return auth.ok ? auth.header : undefined;
  }

  private async authorize(
    challenge: AuthChallenge,
    ref: ImageRef,
    endpoint: string,
    /**
     * `preemptive`: the challenge is one this registry sent for another repository; `answer`: it was
     * just sent for this one; `renew`: a cached token was just refused, so fetch a new one.
     */
    mode: 'preemptive' | 'answer' | 'renew',
  ): Promise<Authorized> {
    const credentials = this.deps.credentials(ref.host);
    if (challenge.scheme === 'basic') {
      if (!credentials) {
        return {
          ok: false,
          detail: `${endpoint} asks for Basic auth and the auth file has no credentials for ${ref.host}`,
        };
      }
      this.knownChallenge.set(endpoint, challenge);
      return { ok: true, header: basicAuthorization(credentials) };
    }

    const realm = challenge.params.realm;
    if (!realm) return { ok: false, detail: `Bearer challenge without a realm at ${endpoint}` };
    const realmCheck = checkRealm(realm, endpoint, this.deps.insecureRegistries);
    if (!realmCheck.ok) return { ok: false, detail: realmCheck.reason };

    const scopes = [`repository:${ref.repository}:pull`];
    const asked = challenge.params.scope;
    if (mode !== 'preemptive' && asked && !scopes.includes(asked)) scopes.push(asked);
    const service = challenge.params.service;
    const key = [realm, service ?? '', ...scopes].join('\n');
    const now = this.deps.clock.now();
    const cached = this.tokens.get(key);
    if (mode !== 'renew' && cached && cached.expiresAt > now) return cached.header;

    const tokenUrl = new URL(realmCheck.url);
    if (service) tokenUrl.searchParams.set('service', service);
    for (const s of scopes) tokenUrl.searchParams.append('scope', s);
    const entry: TokenEntry = {
      header: this.fetchToken(tokenUrl, credentials, endpoint),
      expiresAt: now + DEFAULT_TOKEN_SECONDS * 1000 - TOKEN_MARGIN_MS,
    };
    this.tokens.set(key, entry);
    const result = await entry.header;
    if (result.ok) {
      this.knownChallenge.set(endpoint, challenge);
      if (result.expiresInSeconds !== undefined) {
        entry.expiresAt = now + Math.min(result.expiresInSeconds, 3600) * 1000 - TOKEN_MARGIN_MS;
      }
    } else this.tokens.delete(key);
    return result;
  }

  private async fetchToken(
    tokenUrl: URL,
    credentials: Credentials | undefined,
    endpoint: string,
  ): Promise<Authorized> {
    const who = credentials ? 'with the configured credentials' : 'anonymously';
    const sent = await this.send(
      'GET',
      tokenUrl.href,
      credentials ? basicAuthorization(credentials) : undefined,
      false,
    );
    if (!sent.ok) return { ok: false, detail: `token request for ${endpoint}: ${sent.detail}` };
    const { status, body } = sent.reply;
    if (status === 401 || status === 403) {
      return {
        ok: false,
        detail: `token request to ${tokenUrl.origin} refused (HTTP ${status}) ${who} for ${endpoint}`,
      };
    }
    if (status < 200 || status >= 300) {
      return {
        ok: false,
        detail: `token request to ${tokenUrl.origin} answered HTTP ${status} for ${endpoint}`,
      };
    }
    let token: unknown;
    let expiresIn: unknown;
    try {
      const doc = JSON.parse(body?.toString('utf8') ?? '') as Record<string, unknown>;
      token = doc.token ?? doc.access_token;
      expiresIn = doc.expires_in;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') {
      return { ok: false, detail: `token response from ${tokenUrl.origin} has no token for ${endpoint}` };
    }
    return {
      ok: true,
      header: `Bearer ${token}`,
      ...(typeof expiresIn === 'number' && expiresIn > 0 ? { expiresInSeconds: expiresIn } : {}),
    };
  }

  /**
   * One request with its own timeout, following up to 3 redirects (credentials only to the same
   * origin) and waiting out one 429. Network failures come back as a detail, never thrown.
   */
  private async send(
    method: 'HEAD' | 'GET',
    url: string,
    authorization: string | undefined,
    manifest: boolean,
  ): Promise<Sent> {
    let first = await this.sendFollowing(method, url, authorization, manifest);
    if (!first.ok || first.reply.status !== 429) return first;
    const decision = decideRateLimitWait(first.reply.headers['retry-after'], this.deps.clock.now());
    const host = new URL(first.reply.url).host;
    if (!decision.wait) return { ok: false, detail: `${decision.reason} at ${host}` };
    await this.deps.clock.sleep(decision.ms);
    first = await this.sendFollowing(method, url, authorization, manifest);
    if (first.ok && first.reply.status === 429) {
      return { ok: false, detail: `rate limited (HTTP 429, again after waiting) at ${host}` };
    }
    return first;
  }

  private async sendFollowing(
    method: 'HEAD' | 'GET',
    url: string,
    authorization: string | undefined,
    manifest: boolean,
  ): Promise<Sent> {
    let current = new URL(url);
    const origin = current.origin;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': USER_AGENT };
      if (manifest) headers.accept = MANIFEST_ACCEPT;
      if (authorization && current.origin === origin) headers.authorization = authorization;
      const sent = await this.once(method, current, headers, manifest);
      if (!sent.ok) return sent;
      const { status } = sent.reply;
      const location = header(sent.reply.headers, 'location');
      if (![301, 302, 303, 307, 308].includes(status) || !location) return sent;
      if (hop >= MAX_REDIRECTS) return { ok: false, detail: `too many redirects from ${current.host}` };
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && !(next.protocol === 'http:' && current.protocol === 'http:')) {
        return {
          ok: false,
          detail: `refused redirect from ${current.host} to ${next.protocol}//${next.host}`,
        };
      }
      current = next;
    }
  }

  private async once(
    method: 'HEAD' | 'GET',
    url: URL,
    headers: Record<string, string>,
    manifest: boolean,
  ): Promise<Sent> {
    const limit = manifest ? MAX_MANIFEST_BYTES : MAX_TOKEN_BYTES;
    try {
      const res = await request(url, {
        method,
        headers,
        dispatcher: this.deps.dispatcher,
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
      let body: Buffer | undefined;
      if (method === 'GET' && res.statusCode >= 200 && res.statusCode < 300) {
        body = await readLimited(res.body, limit);
      } else {
        await res.body.dump();
      }
      return {
        ok: true,
        reply: { status: res.statusCode, headers: res.headers, url: url.href, ...(body ? { body } : {}) },
      };
    } catch (err) {
      return { ok: false, detail: describeNetworkError(err, url.host, this.deps.timeoutMs) };
    }
  }
}

function verdictForFailure(status: number, endpoint: string): ImageVerdict {
  if (status === 404) return { status: 'missing', detail: `manifest unknown (HTTP 404) at ${endpoint}` };
  if (status === 403) return unverified(`access denied (HTTP 403) at ${endpoint}`);
  if (status === 401) return unverified(`not authorized (HTTP 401) at ${endpoint}`);
  if (status >= 500) return unverified(`registry error (HTTP ${status}) at ${endpoint}`);
  return unverified(`unexpected HTTP ${status} at ${endpoint}`);
}

function unverified(detail: string): ImageVerdict {
  return { status: 'unverified', detail };
}

function header(headers: Reply['headers'], name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

async function readLimited(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit)
      throw Object.assign(new Error(`response over ${limit} bytes`), { code: 'AP_PAYLOAD_TOO_LARGE' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function describeNetworkError(err: unknown, host: string, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (
    e.name === 'TimeoutError' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return `no answer within ${formatMs(timeoutMs)} from ${host}`;
  }
  if (code === 'AP_PAYLOAD_TOO_LARGE') return `${e.message ?? 'response too large'} from ${host}`;
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `TLS error (${code}) at ${host}`;
  if (code) return `unreachable (${code}) at ${host}`;
  return `unreachable (${e.name ?? 'error'}: ${e.message ?? String(err)}) at ${host}`;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
