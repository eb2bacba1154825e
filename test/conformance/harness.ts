import { beforeAll, describe, expect, it } from 'vitest';
import type { DawnDevice } from '../../runtime/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import type { ConformanceCase } from '../../scripts/conformance/cases.js';
import { testdataAvailable, TESTDATA_ROOT } from '../../scripts/conformance/cases.js';
import { runCase } from '../../scripts/conformance/run_case.js';

/**
 * Runs ONNX backend test cases as vitest tests: each must pass, be out of scope (skipped with
 * its reason), or be listed as known failing with a reason. A known failure that starts passing
 * fails the test too, so the list can only shrink.
 */
export function conformanceTests(title: string, cases: readonly ConformanceCase[], knownFailing: Readonly<Record<string, string>> = {}): void {
  describe(title, () => {
    if (!testdataAvailable()) {
      it('has the ONNX test data', () => {
        if (process.env.CI) expect.fail(`no ONNX test data at ${TESTDATA_ROOT}`);
      });
      return;
    }
    let device: DawnDevice;
    beforeAll(async () => {
      device = await getDefaultDevice();
    });
    for (const name of Object.keys(knownFailing)) {
      if (!cases.some((c) => c.name === name)) throw new Error(`known-failing entry '${name}' is not in this slice`);
    }
    for (const c of cases) {
      it(`${c.suite}/${c.name}`, async () => {
        const r = await runCase(c, device);
        const known = knownFailing[c.name];
        if (r.status === 'skip') return;
        if (known) {
          expect(r.status, `${c.name} is listed as known failing (${known}) but passes: remove it from the list`).not.toBe('pass');
          return;
        }
        expect(r.status, `${c.name}: ${r.reason}`).toBe('pass');
      }, 60_000);
    }
  });
}
