import { AppError } from '../lib/errors.js';
import { redactSecrets } from '../lib/redact.js';

export interface WebhookUrl {
  /** Normalised to the v10 API, which returns detailed form errors. */
  url: string;
  id: string;
  /** The URL with its token replaced by `***`, safe to log. */
  redacted: string;
}

const PATH = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([A-Za-z0-9._~-]+)\/?$/;

/** Validates a Discord webhook URL and normalises it to `/api/v10/webhooks/<id>/<token>`. */
export function parseWebhookUrl(text: string): WebhookUrl {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new AppError('AP_CONFIG_INVALID', 'Discord webhook URL is not a URL');
  }
  const m = PATH.exec(u.pathname);
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || !m) {
    throw new AppError(
      'AP_CONFIG_INVALID',
      'Discord webhook URL must look like https://discord.com/api/webhooks/<id>/<token>',
    );
  }
  const [, id = '', token = ''] = m;
  const base = `${u.protocol}//${u.host}/api/v10/webhooks/${id}`;
  return { url: `${base}/${token}`, id, redacted: redactSecrets(`${base}/${token}`) };
}
