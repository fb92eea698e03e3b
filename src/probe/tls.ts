import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/** TLS trust for probes and waits: skip verification, or trust one extra CA besides the system's. */
export interface TlsTrust {
  insecure?: boolean;
  /** Path of a PEM file with extra CA certificates. */
  caFile?: string;
  /**
   * PEM text of extra CA certificates, already read (watch's config loader turns a `caFile` key
   * into its content). Used when `caFile` is not set.
   */
  ca?: string;
}

export interface TlsConnectOptions {
  rejectUnauthorized: boolean;
  ca?: string[];
}

/** Node TLS options for a trust setting. Reading the CA file happens here, once. */
export function tlsConnectOptions(trust: TlsTrust): TlsConnectOptions {
  if (trust.insecure) return { rejectUnauthorized: false };
  const extra = trust.caFile ? readFileSync(trust.caFile, 'utf8') : trust.ca;
  if (!extra) return { rejectUnauthorized: true };
  return { rejectUnauthorized: true, ca: [...rootCertificates, extra] };
}

/** Whether a file holds at least one PEM certificate (for a clear usage error up front). */
export function looksLikePemCertificate(text: string): boolean {
  return /-----BEGIN CERTIFICATE-----/.test(text);
}
