import { isIP } from 'node:net';

/**
 * Which scheme a registry is spoken to with, and which token realms are safe to follow. Pure.
 *
 * - Plain http only for loopback hosts and `--insecure-registry` hosts; https otherwise.
 * - A Bearer realm must be https, unless the registry itself is plain http (loopback or
 *   `--insecure-registry`): credentials never travel in clear to a host the user did not choose.
 */

/** `host` or `host:port` → hostname without port or IPv6 brackets. */
export function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(1, end);
  }
  const colon = h.indexOf(':');
  // A bare IPv6 address has several colons and no port.
  if (colon !== -1 && h.indexOf(':', colon + 1) === -1) return h.slice(0, colon);
  return h;
}

export function isLoopbackHost(host: string): boolean {
  const name = hostnameOf(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1';
  return false;
}

/** True when `host` (`name` or `name:port`) is listed; an entry without a port matches any port. */
export function isInsecureRegistry(host: string, insecure: readonly string[]): boolean {
  const h = host.trim().toLowerCase();
  const name = hostnameOf(h);
  return insecure.some((entry) => {
    const e = entry
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
    return e === h || e === name;
  });
}

export function registryScheme(host: string, insecure: readonly string[]): 'http' | 'https' {
  return isLoopbackHost(host) || isInsecureRegistry(host, insecure) ? 'http' : 'https';
}

export type RealmCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Whether a token realm announced by `registryHost` may be followed (and sent credentials). */
export function checkRealm(realm: string, registryHost: string, insecure: readonly string[]): RealmCheck {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return { ok: false, reason: `token realm "${realm}" is not a URL` };
  }
  if (url.username || url.password) return { ok: false, reason: 'token realm carries credentials' };
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:' && registryScheme(registryHost, insecure) === 'http') return { ok: true, url };
  if (url.protocol === 'http:') {
    return {
      ok: false,
      reason: `refused plain-http token realm ${url.origin} for https registry ${registryHost} (the realm must be https)`,
    };
  }
  return { ok: false, reason: `token realm scheme ${url.protocol} is not http(s)` };
}
