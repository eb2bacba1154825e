import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DataError } from '../../ir/errors.js';
import type { ParquetSchema } from './parquet_schema.js';
import type { DecodedGroup, TensorRows } from './row_group_decoder.js';
import type { GroupReply, GroupRequest } from './parquet_worker.js';

/**
 * Decodes row groups in a worker thread, so that reading and decompressing the next group runs
 * while the main thread feeds the GPU. Started on the first request; holds the process open only
 * while a request is pending; a thread that dies fails what it was doing with a DataError and is
 * started again on the next request.
 */

const TYPES: Readonly<Record<string, new (buffer: ArrayBuffer) => TensorRows>> = { Float32Array, Int32Array, Uint32Array };

interface Pending {
  readonly resolve: (group: DecodedGroup) => void;
  readonly reject: (error: Error) => void;
}

/** The worker from dist/ (.js), or from the TypeScript sources through tsx's loader (tests, tsx). */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./parquet_worker.js', here));
  const target = new URL('./parquet_worker.ts', here).href;
  // tsx's ES module entry (its CommonJS one cannot load TypeScript ES modules into a worker).
  const tsxPackage = createRequire(here).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(tsxPackage), 'dist', 'esm', 'api', 'index.mjs')).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(target)}, ${JSON.stringify(here)}))`, { eval: true });
}

export class RowGroupLoader {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  load(file: string, group: number, schema: ParquetSchema): Promise<DecodedGroup> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise<DecodedGroup>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      const request: GroupRequest = { id, file, group, schema };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new DataError('the Parquet dataset was closed while a row group was being read'));
    if (worker) await worker.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker();
    worker.on('message', (reply: GroupReply) => this.#settle(reply));
    worker.on('error', (e) => this.#lost(worker, `failed: ${e.message}`));
    worker.on('exit', (code) => this.#lost(worker, `exited with code ${code}`));
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #settle(reply: GroupReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker?.unref();
    if ('error' in reply) {
      pending.reject(new DataError(reply.data ? reply.error : `Parquet reader: ${reply.error}`));
      return;
    }
    pending.resolve({ rows: reply.rows, x: new TYPES[reply.xType](reply.x), y: new TYPES[reply.yType](reply.y) });
  }

  #lost(worker: Worker, what: string): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#failAll(new DataError(`the Parquet reader thread ${what}`));
  }

  #failAll(error: DataError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }
}
