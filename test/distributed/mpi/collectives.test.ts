import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { float32FromBase64, rankData } from './programs/rank_data.js';
import { describeMpi, mpirun, tsNode } from './mpi_test_env.js';

// Mirrors programs/collectives.ts.
const SUM_LENGTHS = [0, 1, 2, 7, 1000, 65537];
const MEAN_LENGTH = 1001;
const IN_FLIGHT_LENGTHS = [333, 4096, 100_003];

interface RankReport {
  rank: number;
  size: number;
  localRank: number;
  localSize: number;
  library: string;
  results: Record<string, string>;
  errors: Record<string, { name: string; code: string; message: string }>;
  ticks: number;
  waited: number;
}

/**
 * The communicators' contract: sums in rank order, ((x0 + x1) + x2) ..., in f64, the mean divided
 * in f64, rounded once to f32 (what the in-process communicator computes).
 */
function rankOrderSum(inputs: Float32Array[], order: number[], mean = false): Float32Array {
  return Float32Array.from(inputs[0], (_, i) => {
    const sum = order.reduce((s, r) => s + inputs[r][i], 0);
    return mean ? sum / order.length : sum;
  });
}

/** Sums in f32, each step rounded: what a communicator that adds floats would compute. */
function float32RankOrderSum(inputs: Float32Array[]): Float32Array {
  const out = Float32Array.from(inputs[0]);
  for (const x of inputs.slice(1)) for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i] + x[i]);
  return out;
}

function float64Sum(inputs: Float32Array[]): Float64Array {
  return Float64Array.from(inputs[0], (_, i) => inputs.reduce((s, x) => s + x[i], 0));
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function runCollectives(size: number): Promise<RankReport[]> {
  const out = mkdtempSync(join(tmpdir(), 'dawnflow-mpi-'));
  scratch.push(out);
  const job = await mpirun(size, tsNode('test/distributed/mpi/programs/collectives.ts', out), { ...process.env, DAWNFLOW_MPI_TIMEOUT_S: '3' });
  expect(job.code, job.stderr).toBe(0);
  return Array.from({ length: size }, (_, r) => JSON.parse(readFileSync(join(out, `rank${r}.json`), 'utf8')) as RankReport);
}

function checkAllReduce(reports: RankReport[], key: string, inputs: Float32Array[], mean: boolean): void {
  const size = inputs.length;
  const ranks = Array.from({ length: size }, (_, r) => r);
  const expected = rankOrderSum(inputs, ranks, mean);
  const exact = float64Sum(inputs);
  const scale = Math.max(1, ...Array.from(exact, Math.abs));
  for (const report of reports) {
    const got = float32FromBase64(report.results[key]);
    expect(got.length).toBe(expected.length);
    expect(got.every(Number.isFinite)).toBe(true);
    // Bit for bit the rank-order f64 sum rounded once: deterministic, and what the in-process one computes.
    expect(bitsEqual(got, expected), `${key} on rank ${report.rank}`).toBe(true);
    // And close to the exact sum (the order only moves the last bits).
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - exact[i] / (mean ? size : 1)));
    expect(worst).toBeLessThan(1e-5 * scale);
  }
}

for (const size of [2, 3]) {
  describeMpi(`MpiCommunicator under mpirun -np ${size}`, () => {
    let reports: RankReport[];
    it('runs every rank to the end', async () => {
      reports = await runCollectives(size);
      expect(reports.map((r) => [r.rank, r.size])).toEqual(Array.from({ length: size }, (_, r) => [r, size]));
      // One host: local ranks are the ranks.
      expect(reports.map((r) => [r.localRank, r.localSize])).toEqual(Array.from({ length: size }, (_, r) => [r, size]));
      expect(reports[0].library).toMatch(/Open MPI/);
    }, 120_000);

    it('all-reduces (sum, mean, several in flight) bit-equal to the rank-order f64 sum rounded once', () => {
      for (const n of SUM_LENGTHS) checkAllReduce(reports, `sum${n}`, Array.from({ length: size }, (_, r) => rankData(11, r, n)), false);
      checkAllReduce(reports, 'mean', Array.from({ length: size }, (_, r) => rankData(12, r, MEAN_LENGTH)), true);
      IN_FLIGHT_LENGTHS.forEach((n, i) => checkAllReduce(reports, `inflight${i}`, Array.from({ length: size }, (_, r) => rankData(20 + i, r, n)), false));
    });

    it('the data tells the arithmetic apart: bit equality says f64 sums rounded once, not f32 sums', () => {
      const inputs = Array.from({ length: size }, (_, r) => rankData(11, r, 65537));
      const contract = rankOrderSum(inputs, [...Array(size).keys()]);
      // With 2 ranks both round once; with 3, an f32 running sum rounds twice and differs somewhere.
      expect(bitsEqual(contract, float32RankOrderSum(inputs))).toBe(size < 3);
    });

    it('broadcasts bytes, doubles and DataViews from the last rank', () => {
      const bytes = Buffer.from(Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 255)).toString('base64');
      const doubles = Buffer.from(Float64Array.from({ length: 5 }, (_, i) => Math.PI * (i + 1)).buffer).toString('base64');
      const view = new DataView(new ArrayBuffer(12));
      view.setUint32(4, 0xdeadbeef, true);
      for (const r of reports) {
        expect(r.results.bcastBytes).toBe(bytes);
        expect(r.results.bcastDoubles).toBe(doubles);
        expect(r.results.bcastView).toBe(Buffer.from(view.buffer).toString('base64'));
      }
    });

    it('sends and receives 1 MiB around a ring with both calls in flight', () => {
      for (const r of reports) {
        const left = (r.rank - 1 + size) % size;
        const sent = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31 + left) & 255);
        expect(Buffer.from(r.results.ring, 'base64')).toEqual(Buffer.from(sent.subarray(0, 64)));
        expect(r.results.ringChecksum).toBe(String(sent.reduce((s, v, i) => (s + v * ((i % 13) + 1)) % 1_000_000_007, 0)));
      }
    });

    it("keeps the event loop running while a rank waits for late peers", () => {
      // Rank 0 waited ~500 ms in the barrier; a 5 ms interval kept ticking meanwhile (100 ticks
      // on an idle machine; far fewer would still say the loop was not blocked).
      expect(reports[0].waited).toBeGreaterThan(250);
      expect(reports[0].ticks).toBeGreaterThanOrEqual(10);
    });

    it('fails ranks that disagree on a collective together, then goes on', () => {
      for (const r of reports) {
        expect(r.errors.mismatch.code).toBe('COMMUNICATION');
        expect(r.errors.mismatch.message).toMatch(/ranks disagree on collective #\d+: rank 0 calls allReduce of 10 f32 \(sum\), rank 1 calls allReduce of 11 f32 \(sum\)/);
        expect(Array.from(float32FromBase64(r.results.afterMismatch))).toEqual(Array(5).fill(size));
        expect(r.errors.kindMismatch.code).toBe('COMMUNICATION');
        expect(r.errors.kindMismatch.message).toMatch(/rank 0 calls barrier, rank 1 calls broadcast of 4 bytes from rank 0/);
      }
    });

    it('rejects a receive whose buffer does not fit the message', () => {
      const r1 = reports[1];
      expect(r1.errors.recvShort).toMatchObject({ code: 'COMMUNICATION' });
      expect(r1.errors.recvShort.message).toMatch(/recv from rank 0 \(tag 5\): the message has 8 bytes, the receive buffer 16/);
      expect(r1.errors.recvTruncated).toMatchObject({ code: 'COMMUNICATION' });
      expect(r1.errors.recvTruncated.message).toMatch(/recv from rank 0 \(tag 6\): the message is longer than the receive buffer of 8 bytes/);
    });

    it('fails an operation a peer does not answer within the timeout', () => {
      expect(reports[1].errors.timeout).toMatchObject({ code: 'COMMUNICATION', message: 'rank 1: recv of 4 bytes from rank 0 (tag 12) did not finish within 3 s (a peer stopped answering?)' });
    });

    it('refuses misuse with UsageErrors', () => {
      for (const r of reports) {
        expect(r.errors.badRoot).toMatchObject({ code: 'USAGE', message: `broadcast: root must be a rank in 0..${size - 1}, got ${size}` });
        expect(r.errors.badTag).toMatchObject({ code: 'USAGE', message: 'send: tag must be an integer in 0..32767, got -1' });
        expect(r.errors.notFloat32).toMatchObject({ code: 'USAGE', message: 'allReduce: expected a Float32Array, got Int32Array' });
        expect(r.errors.afterClose).toMatchObject({ code: 'USAGE', message: 'barrier: the MPI communicator is closed' });
      }
    });
  });
}
