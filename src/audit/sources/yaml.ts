import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  Scalar,
  visit,
} from 'yaml';
import type { EmbeddedText, Location } from '../model.js';

/**
 * YAML for the audit: parsed once into the `yaml` AST (never converted to plain JS, which would
 * cost a second pass and lose positions), read through small helpers that resolve aliases and
 * merge keys, with every node locatable as FILE:LINE:COLUMN. Alias bombs are refused with the
 * library's own `maxAliasCount` bound.
 */

export const MAX_ALIAS_COUNT = 100;
/** Streams longer than this are split at `---` lines and parsed a piece at a time. */
const CHUNK_CHARS = 4 * 1024 * 1024;

export type Locate = (line: number, column: number) => Location;

export interface YamlProblem {
  location: Location;
  message: string;
}

export interface ParsedYaml {
  docs: YamlDoc[];
  problems: YamlProblem[];
}

/** One YAML document and the helpers to read it. */
export class YamlDoc {
  private anchors: Array<{ name: string; start: number; node: Node }> | undefined;

  constructor(
    readonly doc: Document.Parsed,
    readonly src: string,
    private readonly lines: LineCounter,
    private readonly locate: Locate,
  ) {}

  get root(): Node | undefined {
    return this.resolve(this.doc.contents ?? undefined);
  }

  /** Location of a node (its first character), or of the document when there is none. */
  at(node: Node | undefined | null): Location {
    return this.atOffset(node?.range?.[0] ?? this.doc.range?.[0] ?? 0);
  }

  atOffset(offset: number): Location {
    const { line, col } = this.lines.linePos(offset);
    return this.locate(line, col);
  }

  resolve(node: unknown): Node | undefined {
    if (node === null || node === undefined) return undefined;
    if (isAlias(node)) {
      const start = node.range?.[0] ?? 0;
      let found: Node | undefined;
      for (const a of this.anchorList()) {
        if (a.start >= start) break;
        if (a.name === node.source) found = a.node;
      }
      return found;
    }
    return node as Node;
  }

  /** Value node under `key` in a map (merge keys `<<` included). */
  get(node: Node | undefined, key: string): Node | undefined {
    const map = this.resolve(node);
    if (!isMap(map)) return undefined;
    let merged: Node | undefined;
    for (const pair of map.items) {
      const k = pair.key;
      const name = isScalar(k) ? k.value : undefined;
      if (name !== null && name !== undefined && String(name) === key) return this.resolve(pair.value);
      if (name === '<<') merged = this.resolve(pair.value);
    }
    if (merged) {
      if (isSeq(merged)) {
        for (const item of merged.items) {
          const v = this.get(this.resolve(item), key);
          if (v) return v;
        }
        return undefined;
      }
      return this.get(merged, key);
    }
    return undefined;
  }

  /** Key node under `key` (for locations that point at the key, such as `receiver:`). */
  keyNode(node: Node | undefined, key: string): Node | undefined {
    const map = this.resolve(node);
    if (!isMap(map)) return undefined;
    for (const pair of map.items) {
      const k = pair.key;
      if (isScalar(k) && String(k.value) === key) return k;
    }
    return undefined;
  }

  has(node: Node | undefined, key: string): boolean {
    return this.keyNode(node, key) !== undefined;
  }

  path(node: Node | undefined, ...keys: string[]): Node | undefined {
    let n = node;
    for (const k of keys) {
      n = this.get(n, k);
      if (!n) return undefined;
    }
    return n;
  }

  /** `[key, keyNode, valueNode]` of a map, merge keys expanded (own keys win). */
  entries(node: Node | undefined): Array<[string, Node, Node | undefined]> {
    const map = this.resolve(node);
    if (!isMap(map)) return [];
    const out: Array<[string, Node, Node | undefined]> = [];
    const seen = new Set<string>();
    const merges: Node[] = [];
    for (const pair of map.items) {
      const k = pair.key;
      if (!isScalar(k) || k.value === null || k.value === undefined) continue;
      const name = String(k.value);
      if (name === '<<') {
        const m = this.resolve(pair.value);
        if (m) merges.push(m);
        continue;
      }
      seen.add(name);
      out.push([name, k, this.resolve(pair.value)]);
    }
    for (const m of merges) {
      const sources = isSeq(m) ? m.items.map((i) => this.resolve(i)) : [m];
      for (const s of sources) {
        for (const e of this.entries(s)) {
          if (seen.has(e[0])) continue;
          seen.add(e[0]);
          out.push(e);
        }
      }
    }
    return out;
  }

  items(node: Node | undefined): Node[] {
    const seq = this.resolve(node);
    if (!isSeq(seq)) return [];
    const out: Node[] = [];
    for (const item of seq.items) {
      const r = this.resolve(item);
      if (r) out.push(r);
    }
    return out;
  }

  /** A scalar as text (numbers and booleans too); undefined for null, maps and sequences. */
  str(node: Node | undefined): string | undefined {
    const n = this.resolve(node);
    if (!isScalar(n)) return undefined;
    const v = n.value;
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      // Keep what was written (`1.10` stays `1.10`), not the number's spelling.
      return n.source ?? String(v);
    }
    return undefined;
  }

  num(node: Node | undefined): number | undefined {
    const n = this.resolve(node);
    if (!isScalar(n)) return undefined;
    if (typeof n.value === 'number') return n.value;
    if (typeof n.value === 'string' && /^\d+$/.test(n.value.trim())) return Number(n.value);
    return undefined;
  }

  bool(node: Node | undefined): boolean | undefined {
    const n = this.resolve(node);
    if (!isScalar(n)) return undefined;
    if (typeof n.value === 'boolean') return n.value;
    if (typeof n.value === 'string') {
      const s = n.value.toLowerCase();
      if (s === 'true' || s === 'yes' || s === 'on') return true;
      if (s === 'false' || s === 'no' || s === 'off') return false;
    }
    return undefined;
  }

  strings(node: Node | undefined): string[] {
    const out: string[] = [];
    for (const i of this.items(node)) {
      const s = this.str(i);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** A map of scalars (`labels`, `selector`, `match`). */
  stringMap(node: Node | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, , v] of this.entries(node)) {
      const s = this.str(v);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }

  isMap(node: Node | undefined): boolean {
    return isMap(this.resolve(node));
  }

  isSeq(node: Node | undefined): boolean {
    return isSeq(this.resolve(node));
  }

  isScalar(node: Node | undefined): boolean {
    return isScalar(this.resolve(node));
  }

  /**
   * A string scalar as embedded text: a literal block (`|`) maps each of its lines back to the
   * file; any other style points at the scalar itself.
   */
  embedded(node: Node | undefined, name: string): EmbeddedText | undefined {
    const n = this.resolve(node);
    if (!isScalar(n) || typeof n.value !== 'string') return undefined;
    const text = n.value;
    const start = n.range?.[0] ?? 0;
    const base = this.atOffset(start);
    if (n.type === Scalar.BLOCK_LITERAL) {
      const headerEnd = this.src.indexOf('\n', start);
      if (headerEnd !== -1) {
        const indent = blockIndent(this.src, headerEnd + 1, n.range?.[1] ?? this.src.length);
        const headerLine = this.lines.linePos(start).line;
        // the outer locate only, not `this`: an embedded text must not keep its document's AST alive
        const outer = this.locate;
        return { name, text, locate: (line, column) => outer(headerLine + line, column + indent) };
      }
    }
    return { name, text, locate: () => base };
  }

  private anchorList(): Array<{ name: string; start: number; node: Node }> {
    if (!this.anchors) {
      const list: Array<{ name: string; start: number; node: Node }> = [];
      visit(this.doc, {
        Node: (_k, node) => {
          const anchor = (node as { anchor?: string }).anchor;
          if (anchor && !isAlias(node)) list.push({ name: anchor, start: node.range?.[0] ?? 0, node });
        },
      });
      list.sort((a, b) => a.start - b.start);
      this.anchors = list;
    }
    return this.anchors;
  }
}

/** Leading spaces of the first non-blank line of a block scalar's body. */
function blockIndent(src: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    let j = i;
    while (j < to && src.charCodeAt(j) === 32) j++;
    const c = src.charCodeAt(j);
    if (c === 10 || c === 13) {
      i = src.indexOf('\n', j) + 1;
      if (i === 0) break;
      continue;
    }
    return j - i;
  }
  return 0;
}

export interface ParseOptions {
  file: string;
  /** Maps a 1-based line and column of `text` to a location; identity into `file` by default. */
  locate?: Locate;
}

/** Parses a multi-document YAML stream; documents that fail are reported and left out. */
export function parseYaml(text: string, options: ParseOptions): ParsedYaml {
  const locate: Locate = options.locate ?? ((line, column) => ({ file: options.file, line, column }));
  if (text.length <= CHUNK_CHARS) return parseChunk(text, locate);
  const out: ParsedYaml = { docs: [], problems: [] };
  for (const chunk of splitStream(text, CHUNK_CHARS)) {
    const shifted: Locate = (line, column) => locate(line + chunk.line - 1, column);
    const part = parseChunk(chunk.text, shifted);
    out.docs.push(...part.docs);
    out.problems.push(...part.problems);
  }
  return out;
}

function parseChunk(text: string, locate: Locate): ParsedYaml {
  const lines = new LineCounter();
  const out: ParsedYaml = { docs: [], problems: [] };
  let parsed: Document.Parsed[];
  try {
    const all = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, keepSourceTokens: false });
    parsed = Array.isArray(all) ? all : [];
  } catch (err) {
    out.problems.push({ location: locate(1, 1), message: (err as Error).message });
    return out;
  }
  const mayAlias = text.includes('*') && text.includes('&');
  for (const doc of parsed) {
    const err = doc.errors[0];
    if (err) {
      const pos = lines.linePos(err.pos[0]);
      out.problems.push({ location: locate(pos.line, pos.col), message: firstLine(err.message) });
      continue;
    }
    if (doc.contents === null) continue;
    if (mayAlias) {
      try {
        doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        const pos = lines.linePos(doc.range?.[0] ?? 0);
        out.problems.push({
          location: locate(pos.line, pos.col),
          message: `document refused: ${(e as Error).message}`,
        });
        continue;
      }
    }
    out.docs.push(new YamlDoc(doc, text, lines, locate));
  }
  return out;
}

/** Splits a stream at document markers into pieces of about `size` characters. */
function splitStream(text: string, size: number): Array<{ text: string; line: number }> {
  const pieces: Array<{ text: string; line: number }> = [];
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let startLine = 1;
  let m: RegExpExecArray | null = marker.exec(text);
  while (m !== null) {
    if (m.index - start >= size && m.index > start) {
      const piece = text.slice(start, m.index);
      pieces.push({ text: piece, line: startLine });
      startLine += countLines(piece);
      start = m.index;
    }
    m = marker.exec(text);
  }
  pieces.push({ text: text.slice(start), line: startLine });
  return pieces;
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).trim();
}
