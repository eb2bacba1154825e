import { parentPort } from 'node:worker_threads';
import { isDawnflowError } from '../../ir/errors.js';
import type { ParquetSchema } from './parquet_schema.js';
import { decodeRowGroup, ShardFiles } from './row_group_decoder.js';

/**
 * The Parquet dataset's reader thread: decodes the row groups the dataset asks for (the next one
 * while the current one trains) and hands the tensors back without copying (transferred buffers).
 */

export interface GroupRequest {
  readonly id: number;
  readonly file: string;
  readonly group: number;
  readonly schema: ParquetSchema;
}

export type GroupReply =
  | { readonly id: number; readonly rows: number; readonly x: ArrayBuffer; readonly xType: string; readonly y: ArrayBuffer; readonly yType: string }
  | { readonly id: number; readonly error: string; readonly data: boolean };

const files = new ShardFiles();
const port = parentPort;
if (!port) throw new Error('parquet_worker.ts runs as a worker thread');

port.on('message', (request: GroupRequest) => {
  decodeRowGroup(files, request.file, request.group, request.schema).then(
    ({ rows, x, y }) => {
      const reply: GroupReply = { id: request.id, rows, x: x.buffer as ArrayBuffer, xType: x.constructor.name, y: y.buffer as ArrayBuffer, yType: y.constructor.name };
      port.postMessage(reply, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer]);
    },
    (e: unknown) => {
      const reply: GroupReply = { id: request.id, error: e instanceof Error ? e.message : String(e), data: isDawnflowError(e) };
      port.postMessage(reply);
    },
  );
});
