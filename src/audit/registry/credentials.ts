import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../lib/errors.js';

/**
 * Registry credentials from a Docker `config.json` (or a `REGISTRY_AUTH_FILE` in the same format,
 * as podman/skopeo write it): `auths.<host>.auth` (base64 `user:pass`) or `username`/`password`.
 * Docker Hub's entry is keyed `https://index.docker.io/v1/`. Parsing and lookup are pure.
 */
export interface Credentials {
  username: string;
  password: string;
}

export interface AuthFile {
  /** Normalised key (`ghcr.io`, `index.docker.io`) → credentials, plus the exact keys as written. */
  entries: Array<{ key: string; credentials: Credentials }>;
}

const DOCKER_HUB_ALIASES = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
];
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** The auth file to read: explicit, else `REGISTRY_AUTH_FILE`, else `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function authFilePath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(homedir(), '.docker', 'config.json');
}

/** Reads and parses the auth file; a missing file is no credentials, a broken one is a config error. */
export function loadAuthFile(path: string): AuthFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { entries: [] };
    throw new AppError('AP_CONFIG_INVALID', `${path}: cannot read registry auth file (${code ?? 'error'})`);
  }
  return parseAuthFile(text, path);
}

export function parseAuthFile(text: string, path: string): AuthFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'AP_CONFIG_INVALID',
      `${path}: registry auth file is not valid JSON (${(err as Error).message})`,
    );
  }
  if (!isObject(doc))
    throw new AppError('AP_CONFIG_INVALID', `${path}: registry auth file must be a JSON object`);
  const auths = doc.auths;
  if (auths === undefined) return { entries: [] };
  if (!isObject(auths)) throw new AppError('AP_CONFIG_INVALID', `${path}: "auths" must be an object`);
  const entries: AuthFile['entries'] = [];
  for (const [key, value] of Object.entries(auths)) {
    const credentials = isObject(value) ? entryCredentials(value) : undefined;
    if (credentials) entries.push({ key, credentials });
  }
  return { entries };
}

function entryCredentials(entry: Record<string, unknown>): Credentials | undefined {
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && entry.username !== '' && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password };
  }
  return undefined;
}

/** `https://ghcr.io/v2/` → `ghcr.io`; Docker Hub aliases → `index.docker.io`. */
export function normaliseAuthKey(key: string): string {
  const host = key
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/\/.*$/, '');
  return DOCKER_HUB_ALIASES.includes(host) ? 'index.docker.io' : host;
}

/**
 * Credentials for an image host as written in the reference (`docker.io`, `ghcr.io`,
 * `registry:5000`). An exact key wins over a normalised match.
 */
export function findCredentials(file: AuthFile, imageHost: string): Credentials | undefined {
  const wanted = normaliseAuthKey(imageHost);
  const exact = wanted === 'index.docker.io' ? DOCKER_HUB_AUTH_KEY : imageHost;
  return (
    file.entries.find((e) => e.key === exact)?.credentials ??
    file.entries.find((e) => normaliseAuthKey(e.key) === wanted)?.credentials
  );
}

export function basicAuthorization(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
