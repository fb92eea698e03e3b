import { randomBytes, randomUUID } from 'node:crypto';

/** Where new identifiers come from: injected like the clock, so tests can name what they make. */
export interface IdSource {
  /** A new random UUID (checks, notification groups). */
  uuid(): string;
  /** A new secret of `bytes` random bytes, base64url (ping keys, API keys). */
  secret(bytes: number): string;
}

export const randomIds: IdSource = {
  uuid: () => randomUUID(),
  secret: (bytes) => randomBytes(bytes).toString('base64url'),
};
