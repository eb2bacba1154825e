import { InputError } from '../ir/errors.js';

/**
 * A profile as a file: the device time of each step of a plan, as `dawnflow run --profile
 * --json` prints it and `dawnflow inspect --html --profile` reads it. Plain data of the runtime
 * (Executable.profile's steps), so a run of an artifact writes it without the compiler.
 */

export const PROFILE_FORMAT = 'dawnflow-profile';
export const PROFILE_VERSION = 1;

export interface ProfiledStep {
  readonly step: number;
  readonly kernel: string;
  readonly label: string;
  /** Median device time over the profiled runs (timestamp queries). */
  readonly ms: number;
  /** The step's floating-point operations, where the plan counts them: GFLOP/s = flops / (ms·1e6). */
  readonly flops?: number;
}

export interface ProfileFile {
  readonly format: typeof PROFILE_FORMAT;
  readonly version: number;
  /** The plan's name. */
  readonly plan: string;
  readonly adapter: string;
  readonly steps: readonly ProfiledStep[];
  /** The f32 FMA peak measured with the profile (GFLOP/s), the scale of each step's share. */
  readonly fmaPeakGflops?: number;
}

export function profileFile(plan: string, adapter: string, steps: readonly ProfiledStep[], fmaPeakGflops?: number): ProfileFile {
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    plan,
    adapter,
    steps: steps.map(({ step, kernel, label, ms, flops }) => ({ step, kernel, label, ms, ...(flops !== undefined ? { flops } : {}) })),
    ...(fmaPeakGflops !== undefined ? { fmaPeakGflops } : {}),
  };
}

/** Reads a profile: the object `run --profile --json` prints (its `profile` member) or the profile alone. */
export function parseProfile(text: string, file: string): ProfileFile {
  const fail = (why: string): never => {
    throw new InputError(`profile '${file}': ${why} (write one with 'dawnflow run ... --profile --json > ${file}')`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    return fail(`not JSON (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  const outer = raw as { profile?: unknown } | null;
  const p = (outer !== null && typeof outer === 'object' && 'profile' in outer ? outer.profile : raw) as Partial<ProfileFile> | null;
  if (p === null || typeof p !== 'object') fail('not a JSON object');
  if (p!.format !== PROFILE_FORMAT) fail(`format ${JSON.stringify(p!.format)} is not '${PROFILE_FORMAT}'`);
  if (typeof p!.version !== 'number' || p!.version > PROFILE_VERSION) fail(`version ${JSON.stringify(p!.version)} is not one this dawnflow reads (${PROFILE_VERSION})`);
  if (!Array.isArray(p!.steps)) fail("'steps' is not a list");
  p!.steps!.forEach((s, i) => {
    const ok = s !== null && typeof s === 'object' && Number.isInteger(s.step) && typeof s.kernel === 'string' && typeof s.label === 'string' && typeof s.ms === 'number' && Number.isFinite(s.ms) && s.ms >= 0;
    if (!ok) fail(`steps[${i}] is not {step, kernel, label, ms >= 0}`);
  });
  const peak = typeof p!.fmaPeakGflops === 'number' && p!.fmaPeakGflops > 0 ? { fmaPeakGflops: p!.fmaPeakGflops } : {};
  return { format: PROFILE_FORMAT, version: p!.version!, plan: String(p!.plan ?? ''), adapter: String(p!.adapter ?? ''), steps: p!.steps!, ...peak };
}
