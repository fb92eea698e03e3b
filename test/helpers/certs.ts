import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFixture {
  dir: string;
  /** PEM of the test CA, and its path (for --ca-file / caFile). */
  ca: string;
  caFile: string;
  /** Leaf certificate (for 127.0.0.1 and localhost) signed by the CA, and its key. */
  cert: string;
  key: string;
}

/**
 * A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the machine's
 * `openssl`. `days` sets the leaf's validity, so tests can make one that expires soon.
 */
export function makeTlsFixture(options: { days?: number; commonName?: string } = {}): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'alertpath-tls-'));
  const p = (name: string) => join(dir, name);
  const cn = options.commonName ?? 'localhost';
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '30',
    '-subj',
    '/CN=alertpath test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
    '-subj',
    `/CN=${cn}`,
  );
  writeFileSync(
    p('ext.cnf'),
    `subjectAltName=DNS:${cn},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.pem'),
    '-days',
    String(options.days ?? 30),
    '-extfile',
    p('ext.cnf'),
  );
  return {
    dir,
    ca: readFileSync(p('ca.pem'), 'utf8'),
    caFile: p('ca.pem'),
    cert: readFileSync(p('server.pem'), 'utf8'),
    key: readFileSync(p('server.key'), 'utf8'),
  };
}
