/**
 * Secrets never reach logs or HTTP answers. `redactSecrets` is the one function that masks the
 * secret part of every URL shape alertpath handles, wherever it sits in a text (a log message,
 * an error answered to Alertmanager, a drill step). The secret becomes three asterisks in:
 *
 * - `/ping/<uuid>[/fail|/start|/<exit status>]` (Healthchecks, watch): the uuid;
 * - `/ping/<ping key>/<slug>`: the key (the slug stays);
 * - `https://hc-ping.com/<uuid or key>/…` and `https://<host>/<uuid>`: the uuid or key;
 * - Discord `/api/webhooks/<id>/<token>`: the token;
 * - Slack `hooks.slack.com/services/…`: everything after `services/`;
 * - Telegram `/bot<id>:<token>/…`: `<id>:<token>`;
 * - `scheme://user:password@host`: the password;
 * - query parameters named like a secret (`token`, `api_key`, Matrix's `access_token`,
 *   `…secret`, `…password`, `sig`): the value.
 *
 * A uuid or a ping key is as good as the check's password: whoever has it can keep a deadman
 * looking alive.
 */
const PING = /(\/ping\/)[A-Za-z0-9_-]{8,}/g;
const HC_PING = /(hc-ping\.com\/)[A-Za-z0-9_-]{8,}/g;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** A uuid right after the host (a Healthchecks instance on its own ping domain). */
const HOST_UUID = new RegExp(`(\\b[a-z][a-z0-9+.-]*://[^/\\s"']+/)${UUID}(?![0-9a-fA-F-])`, 'gi');
const DISCORD_WEBHOOK = /(\/webhooks\/\d+\/)[A-Za-z0-9._~-]+/g;
const SLACK_WEBHOOK = /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[^\s"'?#]+/g;
const TELEGRAM_BOT = /(\/bot)\d+:[A-Za-z0-9_-]+/g;
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+:)[^@\s/"']+@/gi;
// A parameter whose name says it carries a secret. The value ends at the next parameter, space,
// quote or fragment, or at a `:` that ends the URL in a message (`…?token=abc: connection refused`).
const SECRET_QUERY =
  /([?&][A-Za-z0-9_.-]*?(?:token|key|auth|password|passwd|secret|sig|signature)=)[^&\s"'#]+?(?=$|[&\s"'#]|:(?:\s|$))/gi;

export function redactSecrets(text: string): string {
  if (!text.includes('/') && !text.includes('=')) return text;
  return text
    .replace(DISCORD_WEBHOOK, '$1***')
    .replace(SLACK_WEBHOOK, '$1***')
    .replace(TELEGRAM_BOT, '$1***')
    .replace(USERINFO, '$1***@')
    .replace(SECRET_QUERY, '$1***')
    .replace(PING, '$1***')
    .replace(HC_PING, '$1***')
    .replace(HOST_UUID, '$1***');
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
