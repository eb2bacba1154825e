import { listCases } from '../../scripts/conformance/cases.js';
import { conformanceTests } from './harness.js';

/** Every test of the pytorch-converted, pytorch-operator and simple suites. */
conformanceTests('ONNX backend tests: pytorch-converted, pytorch-operator, simple', listCases(['pytorch-converted', 'pytorch-operator', 'simple']));
