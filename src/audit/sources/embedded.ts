import type { Location, Model } from '../model.js';
import { type Locate, parseYaml, type YamlDoc } from './yaml.js';

/**
 * YAML held as text inside YAML (a Secret's `alertmanager.yaml`, an Argo CD `helm.values`
 * string, kube-prometheus-stack's `stringConfig`, an ExternalSecret template), parsed with line
 * numbers that point back into the outer file. Problems are `yaml-invalid` at their line; an
 * embedded text over MAX_EMBEDDED_CHARS is not parsed, with a note, so memory stays bounded.
 */

export const MAX_EMBEDDED_CHARS = 4 * 1024 * 1024;

export interface EmbeddedOptions {
  /** What the text is, for messages ("helm.values of Application argocd/kps"). */
  what: string;
  /**
   * The text is a Go or Jinja template (ExternalSecret templates, `tplConfig`): expressions
   * stand for values and are not errors.
   */
  template?: boolean;
}

export function parseEmbedded(
  text: string,
  locate: Locate,
  model: Model,
  options: EmbeddedOptions,
): YamlDoc[] {
  const at = locate(1, 1);
  if (text.length > MAX_EMBEDDED_CHARS) {
    model.unreadable.push({
      location: at,
      message: `${options.what} is ${(text.length / 1024 / 1024).toFixed(1)} MB, over the ${MAX_EMBEDDED_CHARS / 1024 / 1024} MB audit reads in an embedded text: not read.`,
    });
    return [];
  }
  const source = options.template ? neutraliseTemplates(text) : text;
  const parsed = parseYaml(source, { file: at.file, locate });
  for (const p of parsed.problems)
    model.invalid.push({ location: p.location, message: `${options.what}: ${p.message}` });
  return parsed.docs;
}

const EXPRESSION = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;

/**
 * Go template and Jinja expressions replaced by placeholders of the same length, so that
 * `url: {{ .webhook }}` reads as a string and line and column numbers do not move. A line that
 * is only control flow (`{{- if .x }}`, `{% for %}`) becomes blank.
 */
export function neutraliseTemplates(text: string): string {
  if (!text.includes('{{') && !text.includes('{%') && !text.includes('{#')) return text;
  return text
    .split('\n')
    .map((line) => {
      const stripped = line.replace(EXPRESSION, '');
      if (stripped.trim() === '' && line.trim() !== '') return ' '.repeat(line.length);
      return line.replace(EXPRESSION, (m) =>
        m.includes('\n') ? m.replace(/[^\n]/g, ' ') : 'x'.repeat(m.length),
      );
    })
    .join('\n');
}

/** True when a line of YAML holds a Go template or Jinja expression. */
export function isTemplateLine(line: string): boolean {
  return /\{\{|\{%|\{#|\}\}|%\}/.test(line);
}

/** A `Location` for line 1, column 1 of a file (findings about a whole file). */
export function fileStart(file: string): Location {
  return { file, line: 1, column: 1 };
}
