import { getDefaultDevice } from '../../runtime/index.js';
import type { ConformanceCase } from './cases.js';
import { runCase } from './run_case.js';

/**
 * A conformance worker process: one Dawn device, cases run one at a time as the parent sends
 * them. The parent bounds each case in time by killing this process, which no in-process
 * timeout could do for a case stuck in synchronous code.
 */

export type WorkerRequest = { readonly case: ConformanceCase };

const device = await getDefaultDevice();
process.send!({ ready: true, adapter: device.adapterDescription });
process.on('message', (message: WorkerRequest) => {
  void runCase(message.case, device).then((result) => process.send!({ result }));
});
process.on('disconnect', () => process.exit(0));
