import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Dashboard passwords: scrypt (node:crypto), stored as
 * `$scrypt$ln=15,r=8,p=1$<salt, base64>$<key, base64>` (ln = log2 N). Verifying an unknown
 * user runs the same scrypt against a fixed hash, so a wrong name and a wrong password take the
 * same time and get the same answer.
 */

const DEFAULT = { ln: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
/** Bounds on the cost a hash may ask for (a config cannot make every login take a minute). */
const MAX_LN = 20;

interface Params {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function derive(
  password: string,
  salt: Buffer,
  p: Omit<Params, 'salt' | 'key'>,
  bytes: number,
): Promise<Buffer> {
  const N = 2 ** p.ln;
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      salt,
      bytes,
      { N, r: p.r, p: p.p, maxmem: 256 * N * p.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string, cost: Partial<typeof DEFAULT> = {}): Promise<string> {
  const p = { ...DEFAULT, ...cost };
  const salt = randomBytes(16);
  const key = await derive(password, salt, p, KEY_BYTES);
  return `$scrypt$ln=${p.ln},r=${p.r},p=${p.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** The hash's parts, or why it is not one this code made. */
export function parseHash(hash: string): Params | string {
  const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return 'expected $scrypt$ln=<n>,r=<n>,p=<n>$<salt>$<key> (from `alertpath watch hash-password`)';
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 10 || ln > MAX_LN || r < 1 || r > 32 || p < 1 || p > 16) return 'scrypt cost out of range';
  const key = Buffer.from(m[5] ?? '', 'base64');
  if (key.length < 16) return 'scrypt key too short';
  return { ln, r, p, salt: Buffer.from(m[4] ?? '', 'base64'), key };
}

/** A hash no password matches, with the default cost: what unknown users are checked against. */
const DUMMY: Params = {
  ...DEFAULT,
  salt: Buffer.alloc(16, 7),
  key: Buffer.alloc(KEY_BYTES, 0),
};

/**
 * Whether `password` matches `hash`. With `hash` undefined (no such user) the same work is done
 * against a dummy, and the answer is false.
 */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  const parsed = hash === undefined ? DUMMY : parseHash(hash);
  const p = typeof parsed === 'string' ? DUMMY : parsed;
  const key = await derive(password, p.salt, p, p.key.length);
  return timingSafeEqual(key, p.key) && hash !== undefined && typeof parsed !== 'string';
}
