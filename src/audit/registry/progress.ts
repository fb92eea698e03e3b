import type { ImageVerdict } from './types.js';

/**
 * Progress on stderr: a redrawn bar on a TTY (`[####....] 37/500 images`), and otherwise nothing
 * until the one-line summary at the end.
 */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 20;

export function progressBar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} images`;
}

export function summaryLine(verdicts: Iterable<ImageVerdict>, registries: number): string {
  let images = 0;
  let missing = 0;
  let unverified = 0;
  for (const v of verdicts) {
    images++;
    if (v.status === 'missing') missing++;
    else if (v.status === 'unverified') unverified++;
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `checked ${plural(images, 'image')} on ${plural(registries, 'registry').replace(/registrys$/, 'registries')}: ${missing} missing, ${unverified} unverified`;
}

export class Progress {
  private done = 0;
  private lastDrawn = '';

  constructor(
    private readonly stream: ProgressStream | undefined,
    private readonly total: number,
  ) {
    this.draw();
  }

  tick(): void {
    this.done++;
    this.draw();
  }

  finish(summary: string): void {
    if (!this.stream) return;
    this.stream.write(this.stream.isTTY ? `\r\x1b[K${summary}\n` : `${summary}\n`);
  }

  private draw(): void {
    if (!this.stream?.isTTY || this.total === 0) return;
    const line = progressBar(this.done, this.total);
    if (line === this.lastDrawn) return;
    this.lastDrawn = line;
    this.stream.write(`\r${line}`);
  }
}
