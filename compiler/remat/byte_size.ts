import { UsageError } from '../../ir/index.js';

/** Byte sizes as people write them (`--memory-budget 96KiB`) and as messages print them. */

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kib: 1024, k: 1024, mib: 1024 ** 2, m: 1024 ** 2, gib: 1024 ** 3, g: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };

/** `4096`, `96KiB`, `1.5 MiB`, `2GiB` (KB/MB/GB are powers of 1000) → bytes; a UsageError otherwise. */
export function parseByteSize(text: string, what = 'size'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UsageError(`${what} '${text}' is not a size (bytes, or a number with KiB, MiB or GiB)`);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`${what} '${text}' is too large`);
  return bytes;
}

/** `786432 bytes (768.0 KiB)`: exact, and readable. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes >= 1024 ** 3 ? [bytes / 1024 ** 3, 'GiB'] : bytes >= 1024 ** 2 ? [bytes / 1024 ** 2, 'MiB'] : [bytes / 1024, 'KiB'];
  return `${bytes} bytes (${value.toFixed(1)} ${unit})`;
}
