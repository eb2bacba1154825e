import { describe, expect, it } from 'vitest';
import { isDawnLimitNotice, LineFilter } from '../../bin/dawn_notices.js';

/**
 * The relay of the binary's stderr drops exactly Dawn's two limit notices (as Dawn 0.6.2 prints
 * them on lavapipe) and nothing else, whatever chunks the pipe delivers them in.
 */

const NOTICES = [
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
  'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
];
const KEPT = [
  "dawnflow: INPUT: missing input 'x' (f32[2,4]) (give --input <name>=<file>)",
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16.',
  'maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
  'Warning: maxBufferSize artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
  `${NOTICES[0]} and more`,
  '',
];

describe('Dawn limit notices', () => {
  it('matches the two notices, with any numbers, and no other line', () => {
    for (const line of NOTICES) expect(isDawnLimitNotice(line), line).toBe(true);
    expect(isDawnLimitNotice('Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 500000 to 8 to fit dynamic offset allocation limit.')).toBe(true);
    for (const line of KEPT) expect(isDawnLimitNotice(line), line).toBe(false);
  });

  it('drops them from a stream cut at every possible point and keeps everything else in order', () => {
    const text = [KEPT[0], NOTICES[0], KEPT[1], NOTICES[1], KEPT[2], KEPT[5], KEPT[4]].join('\n') + '\nunterminated last line';
    const expected = [KEPT[0], KEPT[1], KEPT[2], KEPT[5], KEPT[4]].join('\n') + '\nunterminated last line';
    for (let cut = 0; cut <= text.length; cut++) {
      const filter = new LineFilter(isDawnLimitNotice);
      const out = filter.push(text.slice(0, cut)) + filter.push(text.slice(cut)) + filter.end();
      expect(out, `cut at ${cut}`).toBe(expected);
    }
    // CRLF line ends, and a notice as the unterminated last line.
    const crlf = new LineFilter(isDawnLimitNotice);
    expect(crlf.push(`${NOTICES[0]}\r\nkept\r\n`) + crlf.push(NOTICES[1]) + crlf.end()).toBe('kept\r\n');
  });
});
