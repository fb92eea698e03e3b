/** A readiness or probe target: an http(s) URL, or `tcp://host:port`. */
export type Target = { kind: 'http'; url: string } | { kind: 'tcp'; url: string; host: string; port: number };

export type ParsedTarget = { ok: true; target: Target } | { ok: false; reason: string };

export function parseTarget(text: string): ParsedTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `invalid target "${text}": expected an http(s):// URL or tcp://host:port` };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (!url.hostname) return { ok: false, reason: `invalid target "${text}": no host` };
    return { ok: true, target: { kind: 'http', url: text } };
  }
  if (url.protocol === 'tcp:') {
    const port = Number(url.port);
    if (!url.hostname || !url.port || !Number.isInteger(port) || port < 1 || port > 65535) {
      return {
        ok: false,
        reason: `invalid target "${text}": expected tcp://host:port with a port from 1 to 65535`,
      };
    }
    if ((url.pathname && url.pathname !== '/') || url.search) {
      return { ok: false, reason: `invalid target "${text}": a tcp:// target has no path` };
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return { ok: true, target: { kind: 'tcp', url: text, host, port } };
  }
  return {
    ok: false,
    reason: `invalid target "${text}": unsupported scheme "${url.protocol.replace(/:$/, '')}" (use http, https or tcp)`,
  };
}
