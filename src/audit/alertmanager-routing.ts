import type { Matcher, MatchType } from './model.js';

/**
 * Alertmanager's routing, evaluated the way Alertmanager does it (dispatch/route.go), so that
 * "where does alertname=Watchdog end up?" gets the answer `amtool config routes test` gives:
 *
 * - a route matches when all its matchers match (a missing label is the empty string);
 * - children are tried in order; the first that matches stops the search unless it has
 *   `continue: true`; when no child matches, the route itself is the match;
 * - `receiver`, `group_by` and `repeat_interval` are inherited from the parent when unset;
 *   the root's `repeat_interval` defaults to 4h.
 *
 * Regex matchers are anchored (`^(?:…)$`), as in Alertmanager. Pure: no I/O.
 */

export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 60 * 60 * 1000;

export interface RoutingNode<R> {
  matchers: Matcher[];
  continue: boolean;
  receiver?: string;
  groupBy?: string[];
  repeatInterval?: number;
  routes: R[];
}

export interface RouteMatch<R> {
  route: R;
  /** From the root to `route`, both included. */
  path: R[];
  receiver: string | undefined;
  groupBy: string[];
  repeatInterval: number;
  /** The route that set the effective repeat_interval; undefined when it is Alertmanager's default. */
  repeatIntervalFrom: R | undefined;
}

export type Labels = Readonly<Record<string, string>>;

interface Inherited<R> {
  receiver: string | undefined;
  groupBy: string[];
  repeatInterval: number;
  repeatIntervalFrom: R | undefined;
}

export function matchRoutes<R extends RoutingNode<R>>(root: R, labels: Labels): Array<RouteMatch<R>> {
  const start: Inherited<R> = {
    receiver: undefined,
    groupBy: [],
    repeatInterval: DEFAULT_REPEAT_INTERVAL_MS,
    repeatIntervalFrom: undefined,
  };
  return matchNode(root, labels, [], start, 0) ?? [];
}

const MAX_DEPTH = 200;

function matchNode<R extends RoutingNode<R>>(
  node: R,
  labels: Labels,
  parents: R[],
  inherited: Inherited<R>,
  depth: number,
): Array<RouteMatch<R>> | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (!matchersMatch(node.matchers, labels)) return undefined;
  const own: Inherited<R> = {
    receiver: node.receiver ?? inherited.receiver,
    groupBy: node.groupBy ?? inherited.groupBy,
    repeatInterval: node.repeatInterval ?? inherited.repeatInterval,
    repeatIntervalFrom: node.repeatInterval !== undefined ? node : inherited.repeatIntervalFrom,
  };
  const path = [...parents, node];
  const all: Array<RouteMatch<R>> = [];
  for (const child of node.routes) {
    const matches = matchNode(child, labels, path, own, depth + 1);
    if (matches === undefined) continue;
    all.push(...matches);
    if (!child.continue) break;
  }
  if (all.length === 0) all.push({ route: node, path, ...own });
  return all;
}

export function matchersMatch(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) if (!matcherMatches(m, labels)) return false;
  return true;
}

export function matcherMatches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return compileRegex(m.value)?.test(v) ?? false;
    case '!~':
      return !(compileRegex(m.value)?.test(v) ?? true);
  }
}

const regexCache = new Map<string, RegExp | null>();

/**
 * An anchored RegExp for a Go RE2 pattern, or null when JavaScript cannot compile it. A leading
 * `(?i)` / `(?s)` flag group, which RE2 allows and JavaScript does not, becomes a RegExp flag.
 */
export function compileRegex(pattern: string): RegExp | null {
  const cached = regexCache.get(pattern);
  if (cached !== undefined) return cached;
  let body = pattern;
  let flags = '';
  const lead = /^\(\?([is]+)\)/.exec(body);
  if (lead?.[1]) {
    flags = [...new Set(lead[1])].join('');
    body = body.slice(lead[0].length);
  }
  let re: RegExp | null;
  try {
    re = new RegExp(`^(?:${body})$`, flags);
  } catch {
    re = null;
  }
  if (regexCache.size > 10_000) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}

export class MatcherSyntaxError extends Error {}

const MATCHER = /^\s*("(?:[^"\\]|\\.)*"|[^\s=!~"]+)\s*(=~|!~|!=|=)\s*([\s\S]*?)\s*$/;

/**
 * Parses one `matchers:` entry, which may hold several comma-separated matchers, optionally in
 * braces: `alertname = "Watchdog"`, `severity=~"warning|critical"`, `{team="a", env!="dev"}`.
 */
export function parseMatchers(input: string): Matcher[] {
  let s = input.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const out: Matcher[] = [];
  for (const part of splitTopLevel(s)) {
    if (part.trim() === '') continue;
    out.push(parseMatcher(part));
  }
  return out;
}

export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m)
    throw new MatcherSyntaxError(
      `bad matcher "${text.trim()}": expected name, operator (=, !=, =~, !~) and value`,
    );
  const name = unquote(m[1] as string);
  const type = m[2] as MatchType;
  let value = m[3] as string;
  if (value.startsWith('"')) {
    if (!value.endsWith('"') || value.length < 2)
      throw new MatcherSyntaxError(`bad matcher "${text.trim()}": unterminated quoted value`);
    value = unquote(value);
  }
  if ((type === '=~' || type === '!~') && compileRegex(value) === null)
    throw new MatcherSyntaxError(`bad matcher "${text.trim()}": invalid regular expression`);
  return { name, type, value };
}

function unquote(s: string): string {
  if (!(s.startsWith('"') && s.endsWith('"') && s.length >= 2)) return s;
  return s.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** Splits on commas that are outside double quotes. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quoted && c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** The matcher as amtool prints it: `alertname="Watchdog"`. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}
