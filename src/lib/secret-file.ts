import { readFileSync } from 'node:fs';
import { AppError, type ErrorCode } from './errors.js';

/**
 * The one reader of secrets kept in files (tokens, keys, passwords, secret URLs): every `...File`
 * config key, every `*_FILE` environment variable and every `--...-file` flag goes through it.
 *
 * Trailing whitespace is dropped, however much of it there is: the newline an editor adds, a
 * second one, a `\r\n` from a Windows editor, a stray space. Such a token would otherwise be sent
 * (or compared) with the whitespace and lock everyone out without a word. A file that is empty
 * after trimming is an error: exit 2 with one line naming the file.
 */

/** `text` without trailing whitespace (spaces, tabs, CR, LF, any number of them). */
export function trimSecret(text: string): string {
  return text.replace(/\s+$/, '');
}

export interface SecretFileOptions {
  /** What the secret is, named on the error line: `bearerTokenFile`, `--api-key-file`. */
  what: string;
  /** Reads the file; injected for tests and for paths relative to a config's folder. */
  readFile?: (path: string) => string;
  /** The error code of a failure (AP_CONFIG_INVALID for config keys, AP_USAGE for flags). */
  code?: ErrorCode;
}

/** The secret in `path`, trimmed; throws a one-line AppError (exit 2) when unreadable or empty. */
export function readSecretFile(path: string, options: SecretFileOptions): string {
  const code = options.code ?? 'AP_CONFIG_INVALID';
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    throw new AppError(
      code,
      `cannot read ${options.what} "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const secret = trimSecret(text);
  if (secret === '')
    throw new AppError(code, `${options.what} "${path}" is empty (after trimming trailing whitespace)`);
  return secret;
}

/**
 * Where the secrets of a config came from, for the start-up line that names the active auth
 * (`auth: bearer token from /run/secrets/token`): resolved key path (`auth.bearerToken`,
 * `apiKeys.0.key`) → the file it was read from. Never holds a secret.
 */
export type SecretSources = Map<string, string>;

/** `from /run/secrets/token`, or `from the config` for a secret written inline. */
export function secretOrigin(sources: SecretSources, key: string): string {
  const file = sources.get(key);
  return file === undefined ? 'from the config' : `from ${file}`;
}
