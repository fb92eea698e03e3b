import nodemailer from 'nodemailer';
import { z } from 'zod';
import { fullText } from './http.js';
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
      const word = n.event === 'up' ? 'UP' : 'DOWN';
      const lines = [fullText(n, 2000)];
      if (n.check.url) lines.push('', `Check: ${n.check.url}`);
      if (n.check.pingUrl) lines.push(`Ping URL: ${n.check.pingUrl}`);
      const sending = transport.sendMail({
        from: s.from,
        to: config.to,
        subject: `${word} ${n.check.name}`,
        text: lines.join('\n'),
      });
      const aborted = new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error(`no answer from SMTP ${s.host} in time`)), {
          once: true,
        }),
      );
      try {
        await Promise.race([sending, aborted]);
      } catch (err) {
        throw new Error(`SMTP ${s.host}:${s.port}: ${(err as Error).message.split('\n')[0]}`);
      }
    },
  };
}
