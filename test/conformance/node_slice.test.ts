import { listCases } from '../../scripts/conformance/cases.js';
import { conformanceTests } from './harness.js';

/**
 * A fixed, representative slice of the node suite: every ninth test in name order (about a
 * hundred, spread over every op family the suite covers). `npm run conformance` runs them all.
 */
const slice = listCases(['node']).filter((_, i) => i % 9 === 0);

/** Each entry says why it fails; the list must only shrink. */
const KNOWN_FAILING: Record<string, string> = {
  test_nonmaxsuppression_suppress_by_IOU: 'NonMaxSuppression selects a data-dependent number of boxes: its output shape is not static',
  test_unique_sorted_with_axis: 'Unique has a data-dependent output shape',
};

conformanceTests('ONNX backend tests: a slice of the node suite', slice, KNOWN_FAILING);
