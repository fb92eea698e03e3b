import type { AuditResult } from '../index.js';
import { renderJson } from './json.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export type ReportFormat = 'text' | 'json' | 'sarif';

export function renderReport(
  result: AuditResult,
  format: ReportFormat,
  options: { color: boolean; version: string },
): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'sarif':
      return renderSarif(result, { version: options.version });
    default:
      return renderText(result, { color: options.color });
  }
}
