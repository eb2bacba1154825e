import { beforeAll, describe, expect, it } from 'vitest';
import type { DawnDevice } from '../../runtime/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import type { ConformanceCase } from '../../scripts/conformance/cases.js';
import { testdataAvailable, TESTDATA_ROOT } from '../../scripts/conformance/cases.js';
import { runCase } from '../../scripts/conformance/run_case.js';

/**
 * Runs ONNX backend test cases as vitest tests: each must pass, be out of scope (reported as
 * skipped, with its reason), or be listed as known failing with a reason. A known failure that
 * starts passing fails the test too, so the list can only shrink. Without the test data the
 * suite fails under CI=true and is skipped, visibly, elsewhere.
 */
export function conformanceTests(title: string, cases: readonly ConformanceCase[], knownFailing: Readonly<Record<string, string>> = {}): void {
  describe(title, () => {
    if (!testdataAvailable()) {
      // Without libonnx-testdata: skipped outside CI (ensure-webgpu.sh installs it), failing under CI=true.
      it.skipIf(!process.env.CI)(`has the ONNX test data (${TESTDATA_ROOT}; install libonnx-testdata)`, () => {
        expect.fail(`no ONNX test data at ${TESTDATA_ROOT}`);
      });
      return;
    }
    it('finds its cases in the test data', () => {
      expect(cases.length, `no cases under ${TESTDATA_ROOT}`).toBeGreaterThan(0);
    });
    let device: DawnDevice;
    beforeAll(async () => {
      device = await getDefaultDevice();
    });
    for (const name of Object.keys(knownFailing)) {
      if (!cases.some((c) => c.name === name)) throw new Error(`known-failing entry '${name}' is not in this slice`);
    }
    for (const c of cases) {
      it(`${c.suite}/${c.name}`, async (ctx) => {
        const r = await runCase(c, device);
        const known = knownFailing[c.name];
        // Out of scope (an op or type dawnflow does not claim): a visible skip with its reason.
        if (r.status === 'skip') ctx.skip(r.reason ?? 'out of scope');
        if (known) {
          expect(r.status, `${c.name} is listed as known failing (${known}) but passes: remove it from the list`).not.toBe('pass');
          return;
        }
        expect(r.status, `${c.name}: ${r.reason}`).toBe('pass');
      }, 60_000);
    }
  });
}
