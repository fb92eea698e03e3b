/**
 * Secrets never reach logs. These rules redact the secret parts of URLs and headers that
 * alertpath handles: Discord webhook tokens, userinfo passwords, and token-like query values.
 */
const DISCORD_WEBHOOK = /(\/webhooks\/\d+\/)[A-Za-z0-9._~-]+/g;
const SLACK_WEBHOOK = /(hooks\.slack\.com\/services\/)[^\s"'?#]+/g;
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+:)[^@\s/"']+@/gi;
// The value ends at the next parameter, space, quote or fragment, or at a `:` that ends the URL
// in a message (`…?token=abc: connection refused`).
const SECRET_QUERY =
  /([?&](?:token|key|api_key|apikey|access_token|auth|password|secret|sig)=)[^&\s"'#]+?(?=$|[&\s"'#]|:(?:\s|$))/gi;
const PING_UUID_KEY = /(\/ping\/)[A-Za-z0-9_-]{16,}(\/[a-z0-9-_]+)/g;

export function redactSecrets(text: string): string {
  if (!text.includes('/') && !text.includes('=')) return text;
  return text
    .replace(DISCORD_WEBHOOK, '$1***')
    .replace(SLACK_WEBHOOK, '$1***')
    .replace(USERINFO, '$1***@')
    .replace(SECRET_QUERY, '$1***')
    .replace(PING_UUID_KEY, '$1***$2');
}

/** A deep copy of a log record with every string redacted. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: redactSecrets(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}
