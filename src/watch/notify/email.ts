import nodemailer from 'nodemailer';
import { z } from 'zod';
import { DeliveryError } from './failure.js';
import { fullText, headline } from './format.js';
import type { ChannelTransport } from './types.js';

export const emailChannelSchema = z.strictObject({
  type: z.literal('email'),
  to: z.array(z.string().email()).min(1),
  smtp: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.enum(['starttls', 'tls', 'none']).default('starttls'),
    username: z.string().optional(),
    password: z.string().optional(),
    from: z.string().min(3),
    /** Accept a self-signed server certificate. */
    insecure: z.boolean().default(false),
  }),
});

export type EmailChannelConfig = z.output<typeof emailChannelSchema>;

/** SMTP through nodemailer: STARTTLS (required, not opportunistic), implicit TLS, or plain. */
export function emailTransport(name: string, config: EmailChannelConfig): ChannelTransport {
  const s = config.smtp;
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure === 'tls',
    requireTLS: s.secure === 'starttls',
    ignoreTLS: s.secure === 'none',
    ...(s.username ? { auth: { user: s.username, pass: s.password ?? '' } } : {}),
    tls: { rejectUnauthorized: !s.insecure },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    name,
    type: 'email',
    async send(n, signal) {
      const lines = [fullText(n, 2000)];
      if (n.check.url) lines.push('', `Check: ${n.check.url}`);
      if (n.check.pingUrl) lines.push(`Ping URL: ${n.check.pingUrl}`);
      const sending = transport.sendMail({
        from: s.from,
        to: config.to,
        subject: `${headline(n)} ${n.check.name}`,
        text: lines.join('\n'),
      });
      const aborted = new Promise<never>((_, reject) =>
        signal.addEventListener(
          'abort',
          () => reject(new DeliveryError(`no answer from SMTP ${s.host} in time`, 'transient')),
          { once: true },
        ),
      );
      try {
        await Promise.race([sending, aborted]);
      } catch (err) {
        if (err instanceof DeliveryError) throw err;
        throw smtpFailure(err, `SMTP ${s.host}:${s.port}`);
      }
    },
  };
}

/**
 * An SMTP refusal with a 5xx reply (535 authentication failed, 550 no such mailbox) or a
 * rejected login repeats on every try; 4xx replies and connection trouble are transient.
 */
function smtpFailure(err: unknown, where: string): DeliveryError {
  const e = err as { responseCode?: number; code?: string; message?: string };
  const permanent =
    e.code === 'EAUTH' ||
    (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600);
  const message = `${where}: ${String(e.message ?? err).split('\n')[0]}`;
  return new DeliveryError(message, permanent ? 'permanent' : 'transient');
}
