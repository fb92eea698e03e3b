/**
 * A bound on what `JSON.parse` may build, checked before it runs. A body under the byte limit can
 * still cost a hundred times its size once parsed: 4 MiB of `[[[[…` is two million arrays
 * (~180 MB). One pass over the bytes counts nesting depth and containers (objects and arrays),
 * skipping string contents, and refuses the body before any of it is built.
 */
export interface JsonBounds {
  /** Deepest nesting of objects and arrays (an Alertmanager payload needs 4). */
  maxDepth: number;
  /** Objects and arrays in the whole document (a 4 MiB payload of real alerts holds ~15 000). */
  maxContainers: number;
}

export const DEFAULT_JSON_BOUNDS: JsonBounds = { maxDepth: 64, maxContainers: 200_000 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Why `json` is over `bounds`, or undefined when it is within them. Malformed JSON within the
 * bounds passes: `JSON.parse` reports it with its own message.
 */
export function jsonBoundsViolation(json: Uint8Array, bounds: JsonBounds): string | undefined {
  let depth = 0;
  let containers = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const b = json[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > bounds.maxDepth) return `JSON nested deeper than ${bounds.maxDepth} levels`;
      if (++containers > bounds.maxContainers)
        return `JSON holds more than ${bounds.maxContainers} objects and arrays`;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return undefined;
}
