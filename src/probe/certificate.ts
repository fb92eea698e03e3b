import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { socketAttempt } from './bounded.js';
import { type TlsTrust, tlsConnectOptions } from './tls.js';

/**
 * What a TLS handshake showed about a server's certificate: its validity dates and subject, and
 * whether it chains to a trusted CA and matches the host name (`authorized`). The handshake always
 * completes (verification is done here, not by refusing the connection), so an expired or
 * self-signed certificate is still described.
 */
export type CertificateOutcome =
  | {
      kind: 'certificate';
      latencyMs: number;
      /** Epoch ms. */
      validFrom: number;
      validTo: number;
      subject: string;
      issuer: string;
      authorized: boolean;
      /** Why it is not trusted (`CERT_HAS_EXPIRED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …). */
      authorizationError?: string;
    }
  | { kind: 'error'; reason: string; latencyMs: number };

export interface CertificateOptions {
  /** Host name to send as SNI and to verify against; defaults to `host` unless it is an IP. */
  servername?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One TLS handshake to `host:port`; reads the peer certificate and closes. */
export function fetchCertificate(
  host: string,
  port: number,
  trust: TlsTrust,
  options: CertificateOptions,
): Promise<CertificateOutcome> {
  const { ca } = tlsConnectOptions(trust);
  const servername = options.servername ?? (isIP(host) ? undefined : host);
  return socketAttempt<CertificateOutcome>(options, (settle, failed, elapsed) => {
    const socket = connect({
      host,
      port,
      ...(servername ? { servername } : {}),
      ...(ca ? { ca } : {}),
      rejectUnauthorized: false,
    });
    socket.once('error', (err) => settle(failed(err)));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      if (!cert || Object.keys(cert).length === 0) {
        settle(failed(new Error('the server sent no certificate')));
        return;
      }
      const authError = socket.authorizationError as unknown;
      const error =
        authError === null || authError === undefined
          ? undefined
          : typeof authError === 'string'
            ? authError
            : ((authError as { code?: string }).code ?? String(authError));
      settle({
        kind: 'certificate',
        latencyMs: elapsed(),
        validFrom: Date.parse(cert.valid_from),
        validTo: Date.parse(cert.valid_to),
        subject: commonName(cert.subject) ?? '',
        issuer: commonName(cert.issuer) ?? '',
        authorized: socket.authorized,
        ...(error ? { authorizationError: error } : {}),
      });
    });
    return () => socket.destroy();
  });
}

function commonName(name: unknown): string | undefined {
  if (!name || typeof name !== 'object') return undefined;
  const cn = (name as Record<string, unknown>).CN;
  if (typeof cn === 'string') return cn;
  if (Array.isArray(cn) && typeof cn[0] === 'string') return cn[0];
  return undefined;
}

/** Human reason for a verification error code, as operators read it in a page. */
export function describeCertificateError(code: string): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'it has expired';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'it is self-signed';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'its chain has a self-signed certificate';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'its issuer is not trusted';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return 'it does not match the host name';
    default:
      return code;
  }
}
