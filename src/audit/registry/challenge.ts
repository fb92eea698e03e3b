/**
 * `WWW-Authenticate` challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"` from a
 * distribution registry, or `Basic realm="…"`. Pure.
 */
export interface AuthChallenge {
  /** Lower-cased scheme: `bearer`, `basic`, … */
  scheme: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

/** Every challenge in a header value, in order. Malformed parts are skipped, never thrown. */
export function parseChallenges(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  const out: AuthChallenge[] = [];
  for (const value of values) out.push(...parseOneHeader(value));
  return out;
}

/** The challenge a registry client should answer: Bearer first, then Basic. */
export function pickChallenge(challenges: AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

function parseOneHeader(value: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  let current: AuthChallenge | undefined;
  const skip = (chars: RegExp) => {
    while (i < value.length && chars.test(value[i] ?? '')) i++;
  };
  while (i < value.length) {
    skip(/[\s,]/);
    if (i >= value.length) break;
    const tok = TOKEN.exec(value.slice(i));
    if (!tok) {
      // Not a token: skip to the next comma and carry on.
      const next = value.indexOf(',', i);
      i = next === -1 ? value.length : next + 1;
      continue;
    }
    const word = tok[0];
    i += word.length;
    const afterWord = i;
    skip(/[ \t]/);
    if (value[i] === '=' && current && value[i + 1] !== '=') {
      // An auth-param of the current challenge.
      i++;
      skip(/[ \t]/);
      let v = '';
      if (value[i] === '"') {
        i++;
        while (i < value.length && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < value.length) i++;
          v += value[i];
          i++;
        }
        i++; // closing quote
      } else {
        const m = TOKEN.exec(value.slice(i));
        v = m ? m[0] : '';
        i += v.length;
      }
      current.params[word.toLowerCase()] = v;
      continue;
    }
    if (value[i] === '=') {
      // token68 (e.g. `Negotiate abc==`) or a parameter before any scheme: skip it.
      skip(/[=]/);
      continue;
    }
    i = afterWord;
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
  }
  return out;
}
