import { request } from 'undici';
import { redactSecrets } from '../../lib/redact.js';

/**
 * One HTTP try for a channel: resolves on 2xx, throws a short, secret-free reason otherwise
 * (`HTTP 429 (retry after 30 s)`, `timed out`, `connection refused`). The engine retries.
 */
export async function sendHttp(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal: AbortSignal },
): Promise<void> {
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method: (init.method ?? 'POST') as 'POST',
      headers: { 'user-agent': 'alertpath-watch', ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: init.signal,
    });
  } catch (err) {
    if (init.signal.aborted) throw new Error(`no answer from ${host(url)} in time`);
    const code = (err as { code?: string }).code;
    throw new Error(
      `${host(url)}: ${code === 'ECONNREFUSED' ? 'connection refused' : (code ?? (err as Error).message)}`,
    );
  }
  const text = (await res.body.text()).slice(0, 200);
  if (res.statusCode >= 200 && res.statusCode < 300) return;
  const retry = res.headers['retry-after'];
  const detail = text.trim() ? `: ${redactSecrets(text.trim().split('\n')[0] ?? '')}` : '';
  throw new Error(
    `${host(url)} answered HTTP ${res.statusCode}${retry ? ` (retry after ${retry} s)` : ''}${detail}`,
  );
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'endpoint';
  }
}

/** Shortens untrusted text (a ping body) for a message. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The message text plus, for a fail, the last ping body cut short. */
export function fullText(
  n: { text: string; reason: string; lastPing?: { body?: string } },
  bodyMax = 500,
): string {
  const body =
    n.reason === 'fail' && n.lastPing?.body ? `\n\nLast ping body:\n${cut(n.lastPing.body, bodyMax)}` : '';
  return `${n.text}${body}`;
}
