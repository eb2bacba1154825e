/**
 * Training progress: on a terminal, one line redrawn in place (bar, loss, examples/s, ETA); to
 * a file or pipe, one plain line per epoch, so logs stay readable.
 */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const REDRAW_MS = 100;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export class Progress {
  readonly mode: 'bar' | 'lines' | 'none';
  #epochLabel = '';
  #steps = 0;
  #started = 0;
  #lastDraw = 0;

  constructor(
    readonly stream: ProgressStream,
    mode: ProgressMode = 'auto',
  ) {
    this.mode = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  }

  startEpoch(epoch: number, epochs: number, steps: number): void {
    this.#epochLabel = `epoch ${epoch}/${epochs}`;
    this.#steps = steps;
    this.#started = performance.now();
    this.#lastDraw = 0;
  }

  /** After `done` steps: the running mean loss and the throughput so far. */
  update(done: number, loss: number, examples: number): void {
    if (this.mode !== 'bar') return;
    const now = performance.now();
    if (done < this.#steps && now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    const elapsed = (now - this.#started) / 1000;
    const rate = examples / Math.max(elapsed, 1e-9);
    const eta = done > 0 ? (elapsed / done) * (this.#steps - done) : Infinity;
    const width = 24;
    const filled = this.#steps > 0 ? Math.round((width * done) / this.#steps) : width;
    const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (done < this.#steps ? '>' : '=') : ''}${' '.repeat(width - filled)}`;
    const line = `${this.#epochLabel} [${bar}] ${done}/${this.#steps} loss ${loss.toFixed(4)} ${Math.round(rate)} ex/s ETA ${formatDuration(eta)}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 200) - 1)}\x1b[K`);
  }

  /** Ends the epoch with its summary line (in both modes). */
  endEpoch(summary: string): void {
    if (this.mode === 'none') return;
    this.stream.write(this.mode === 'bar' ? `\r${this.#epochLabel} ${summary}\x1b[K\n` : `${this.#epochLabel} ${summary}\n`);
  }
}
