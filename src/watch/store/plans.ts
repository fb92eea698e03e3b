import { type CheckDef, type CheckRecord, type CheckState, newCheck } from '../checks/model.js';
import type { Outcome } from './group-commit.js';
import { type CheckRow, type DefinitionCache, type JobRow, toCheckRecord } from './rows.js';
import { SQL } from './sql.js';
import {
  type JobOutcome,
  type JobStatus,
  PROBE_RESULTS_KEPT,
  type SyncResult,
  type TransitionWrite,
} from './types.js';
import { WriteSet } from './writes.js';

/**
 * The store's algorithms, pure: given the rows an atomic unit locked, what it writes. Both
 * dialects run these; neither has its own copy.
 */

export interface PendingTransition {
  uuid: string;
  decide: (record: CheckRecord) => TransitionWrite<unknown>;
}

export type TransitionValue = { record: CheckRecord; result: unknown } | undefined;

/** Probe results are trimmed every this many inserts, so most inserts delete nothing. */
const RESULT_TRIM_STEP = 50;

/**
 * Applies a batch of transitions, in arrival order, to the checks' locked rows: each `decide`
 * sees the state the previous transition of its check left. One throwing `decide` fails alone.
 */
export function planTransitions(
  batch: readonly PendingTransition[],
  rows: readonly CheckRow[],
  ctx: { now: number; keepPings: number; defs: DefinitionCache },
): { writes: WriteSet; result: Outcome<TransitionValue>[] } {
  const held = new Map<string, { id: number; record: CheckRecord; nResults: number }>();
  for (const row of rows)
    held.set(row.uuid, { id: row.id, record: toCheckRecord(row, ctx.defs), nResults: row.n_results });
  const writes = new WriteSet();
  const result = batch.map((p): Outcome<TransitionValue> => {
    const h = held.get(p.uuid);
    if (!h) return { ok: true, value: undefined };
    let write: TransitionWrite<unknown>;
    try {
      write = p.decide(h.record);
    } catch (err) {
      return { ok: false, err };
    }
    const state = write.state ?? h.record.state;
    if (write.probeResult) {
      h.nResults += 1;
      writes.probeResult(h.id, h.nResults, write.probeResult);
      if (h.nResults > PROBE_RESULTS_KEPT && h.nResults % RESULT_TRIM_STEP === 0)
        writes.statement(SQL.dropResults, h.id, h.nResults - PROBE_RESULTS_KEPT);
    }
    if (write.state || write.probeResult) writes.state(h.id, state, h.nResults);
    if (write.ping) {
      writes.ping(h.id, state.nPings, write.ping);
      if (state.nPings > ctx.keepPings) writes.dropPing(h.id, state.nPings - ctx.keepPings);
    }
    if (write.flip) writes.flip(h.id, write.flip);
    const at = write.flip?.at ?? write.ping?.at ?? ctx.now;
    for (const job of write.jobs ?? []) writes.job(h.record.uuid, job, at);
    h.record = { ...h.record, state };
    return { ok: true, value: { record: h.record, result: write.result } };
  });
  return { writes, result };
}

/** A new definition for one locked check, through the caller's pure `update`. */
export function planDefinition(
  row: CheckRow | undefined,
  update: (record: CheckRecord) => { def: CheckDef; state: CheckState } | undefined,
  defs: DefinitionCache,
): { writes: WriteSet; result: CheckRecord | undefined } {
  const writes = new WriteSet();
  if (!row) return { writes, result: undefined };
  const current = toCheckRecord(row, defs);
  const next = update(current);
  if (!next) return { writes, result: current };
  writes.definition(row.id, next.def, JSON.stringify(next.def), next.state.alertAfter, current.managed);
  return {
    writes,
    result: { ...current, def: next.def, state: { ...current.state, alertAfter: next.state.alertAfter } },
  };
}

/**
 * Makes the managed (config-defined) checks match `defs`: matched by uuid when the config fixes
 * one, else by name; changed ones are redefined, new ones created, the rest of the managed ones
 * deleted. A check created through the API whose uuid the config names becomes managed.
 */
export function planManagedSync(
  rows: readonly CheckRow[],
  defs: ReadonlyArray<{ uuid?: string; def: CheckDef }>,
  ctx: {
    now: number;
    newUuid: () => string;
    recompute: (def: CheckDef, state: CheckState) => CheckState;
    defs: DefinitionCache;
  },
): { writes: WriteSet; result: SyncResult } {
  const writes = new WriteSet();
  const result: SyncResult = { created: [], updated: [], removed: [] };
  const existing = [...rows]
    .sort((x, y) => x.id - y.id)
    .map((row) => ({ row, rec: toCheckRecord(row, ctx.defs) }));
  const managedByName = new Map(existing.filter((e) => e.rec.managed).map((e) => [e.rec.def.name, e]));
  const byUuid = new Map(existing.map((e) => [e.rec.uuid, e]));
  const keep = new Set<string>();
  for (const { uuid, def } of defs) {
    const found = (uuid ? byUuid.get(uuid) : undefined) ?? managedByName.get(def.name);
    if (found && (found.rec.managed || found.rec.uuid === uuid)) {
      keep.add(found.rec.uuid);
      const defText = JSON.stringify(def);
      if (defText !== found.row.def || !found.rec.managed) {
        const state = ctx.recompute(def, found.rec.state);
        writes.definition(found.row.id, def, defText, state.alertAfter, true);
        result.updated.push(found.rec.uuid);
      }
      continue;
    }
    const newUuid = uuid ?? ctx.newUuid();
    writes.insertCheck(newCheck(def, { uuid: newUuid, now: ctx.now, managed: true }));
    keep.add(newUuid);
    result.created.push(newUuid);
  }
  for (const e of existing) {
    if (e.rec.managed && !keep.has(e.rec.uuid)) {
      writes.deleteCheck(e.row.id);
      result.removed.push(e.rec.uuid);
    }
  }
  return { writes, result };
}

/**
 * Records a try's outcome on a job, with its whole group locked: when the last open job of a
 * flip failed for good (whichever instance sent the others), the group's fallback channels are
 * queued, once. A job no longer `sending` (its lease ran out and another sender took it) is left
 * as it is.
 */
export function planFinish(
  group: readonly JobRow[],
  id: number,
  outcome: JobOutcome,
): { writes: WriteSet; result: { fallbackQueued: number } } {
  const writes = new WriteSet();
  const none = { writes, result: { fallbackQueued: 0 } };
  const job = group.find((j) => j.id === id);
  if (job?.status !== 'sending') return none;
  const status: JobStatus = outcome.ok ? 'sent' : outcome.retryAt !== undefined ? 'pending' : 'failed';
  writes.finishJob(
    id,
    status,
    status === 'pending' ? null : outcome.at,
    outcome.error ?? null,
    outcome.retryAt ?? job.due_at,
  );
  if (status !== 'failed' || job.is_fallback) return none;
  const fallback = JSON.parse(job.fallback) as string[];
  if (fallback.length === 0) return none;
  const othersOpen = group.some((j) => j.id !== id && !j.is_fallback && j.status !== 'failed');
  const hasFallback = group.some((j) => j.is_fallback);
  if (othersOpen || hasFallback) return none;
  for (const channel of fallback) writes.fallbackJob(job, channel, outcome.at);
  return { writes, result: { fallbackQueued: fallback.length } };
}

/** Retention: the last `keepPings` pings per check; flips, finished jobs, aggregates since `before`. */
export function planPrune(opts: { keepPings: number; before: number }): {
  writes: WriteSet;
  result: undefined;
} {
  const writes = new WriteSet();
  writes.statement(SQL.prunePings, opts.keepPings);
  writes.statement(SQL.pruneFlips, opts.before);
  writes.statement(SQL.pruneHours, opts.before);
  writes.statement(SQL.pruneResults, PROBE_RESULTS_KEPT);
  writes.statement(SQL.pruneJobs, opts.before);
  return { writes, result: undefined };
}
