import type { CheckRecord } from '../checks/model.js';
import type { Store } from '../store/types.js';
import { type Html, html } from './html.js';

/** The probe section of a check page (./check-page.ts). */
export async function probeSection(_store: Store, record: CheckRecord, _now: number): Promise<Html> {
  const p = record.def.probe;
  return html`<h2>Probe</h2><p>${p?.type ?? ''} <code>${p?.target ?? ''}</code></p>`;
}
