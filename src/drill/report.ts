import { type DrillResult, type DrillStep, isoTime } from './model.js';

/** The drill's two outputs: one text line per step then the verdict, or one JSON document. */

export function formatStep(step: DrillStep): string {
  return `${isoTime(step.at)}  ${step.ok ? 'ok  ' : 'FAIL'}  ${step.name.padEnd(14)} ${step.detail}`;
}

export function formatText(result: DrillResult): string {
  return `${[...result.steps.map(formatStep), result.verdict].join('\n')}\n`;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

export function resultJson(result: DrillResult): Record<string, unknown> {
  return {
    ok: result.ok,
    runId: result.runId,
    mode: result.mode,
    verdict: result.verdict,
    steps: result.steps.map((s) => ({
      name: s.name,
      ok: s.ok,
      at: new Date(s.at).toISOString(),
      detail: s.detail,
    })),
    timeToPageSeconds: seconds(result.timeToPageMs),
    timeToRecoverSeconds: seconds(result.timeToRecoverMs),
    check: result.check,
    silence: result.silence,
    error: result.error,
  };
}

export function formatJson(result: DrillResult): string {
  return `${JSON.stringify(resultJson(result), null, 2)}\n`;
}
