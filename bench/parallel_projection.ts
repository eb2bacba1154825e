/**
 * The step time of data-parallel training on N real devices of one host, projected from what
 * the parallel bench measures here (docs/parallel.md writes the model out):
 *
 *   T(N)      = C(B/N) + X(N)
 *   C(b)      = (a + c·b) / F          device time of one rank's step at local batch b (timestamp
 *                                      queries around its phases, fitted over b); F: how much faster
 *                                      the device's kernels are than lavapipe's
 *   M(N)      = Σ over buckets of  D(s) + U(s) + 2L + ρ_N·s       (0 for N = 1)
 *   D(s)      = d0 + d1·s              staging a bucket of s bytes device → host (copy, map, read)
 *   U(s)      = u0 + u1·s              host → device (writeBuffer)
 *   L         = one barrier's latency (an all-reduce has two)
 *   ρ_N       = a rank's host work per byte in an all-reduce of N: copy in, sum its 1/N slice
 *               over N slots, copy every slice out (measured on one thread, no waiting)
 *   X(N)      = max(M_last, M(N) − w·C(B/N))   what overlap cannot hide: the last bucket, and
 *                                      whatever exceeds the backward pass after the first bucket
 *                                      is ready (w: its share of the step's device time, from
 *                                      per-kernel times)
 *
 * Staging and the host reduction keep their measured costs at any F: a host-staged exchange
 * does not get faster with the GPU.
 */
export interface ProjectionInputs {
  readonly globalBatch: number;
  /** C(b) = a + c·b, ms (lavapipe). */
  readonly compute: Linear;
  /** Bucket sizes in bytes, in reduction order. */
  readonly buckets: readonly number[];
  readonly down: Linear;
  readonly up: Linear;
  /** ms per byte of a rank's reduction work, by N. */
  readonly reducePerByte: (n: number) => number;
  readonly barrierMs: number;
  /** Share of the step's device time after the first bucket is ready. */
  readonly hideable: number;
}

/** t = fixed + perByte · x, ms. */
export interface Linear {
  readonly fixed: number;
  readonly perByte: number;
}

export interface ProjectionRow {
  readonly devices: number;
  readonly computeMs: number;
  readonly commMs: number;
  readonly exposedMs: number;
  readonly stepMs: number;
  readonly examplesPerSecond: number;
  readonly speedup: number;
}

export function fitLinear(points: readonly (readonly [number, number])[]): Linear {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const perByte = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  return { fixed: Math.max(0, my - perByte * mx), perByte };
}

const at = (l: Linear, x: number) => l.fixed + l.perByte * x;

export function project(p: ProjectionInputs, faster: number, maxDevices = 8): ProjectionRow[] {
  const compute = (n: number) => at(p.compute, p.globalBatch / n) / faster;
  const bucket = (n: number, s: number) => (n === 1 ? 0 : at(p.down, s) + at(p.up, s) + 2 * p.barrierMs + p.reducePerByte(n) * s);
  const rows: ProjectionRow[] = [];
  for (let n = 1; n <= maxDevices; n++) {
    const c = compute(n);
    const comm = p.buckets.reduce((s, b) => s + bucket(n, b), 0);
    const exposed = n === 1 ? 0 : Math.max(bucket(n, p.buckets[p.buckets.length - 1] ?? 0), comm - p.hideable * c);
    const step = c + exposed;
    rows.push({ devices: n, computeMs: c, commMs: comm, exposedMs: exposed, stepMs: step, examplesPerSecond: (1000 * p.globalBatch) / step, speedup: 0 });
  }
  return rows.map((r) => ({ ...r, speedup: rows[0].stepMs / r.stepMs }));
}

export function formatProjection(rows: readonly ProjectionRow[]): string {
  const head = '| devices | compute ms | comm ms | exposed ms | step ms | examples/s | speed-up |';
  const line = '|---:|---:|---:|---:|---:|---:|---:|';
  const f = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(3));
  const body = rows.map((r) => `| ${r.devices} | ${f(r.computeMs)} | ${f(r.commMs)} | ${f(r.exposedMs)} | ${f(r.stepMs)} | ${Math.round(r.examplesPerSecond)} | ${r.speedup.toFixed(2)}× |`);
  return [head, line, ...body].join('\n');
}
