import { ShapeError } from './errors.js';

/**
 * Splits a 1-D count of workgroups into a 2-D grid when it exceeds the per-dimension limit: the
 * compiler for static counts, the runtime for symbolic ones once their dims are bound (both
 * kernels and plans rely on the same split: per-element kernels index by gid.x + gid.y · nwg.x).
 */
export function gridFor(workgroups: number, maxPerDim: number): [number, number, number] {
  if (workgroups <= maxPerDim) return [workgroups, workgroups === 0 ? 0 : 1, workgroups === 0 ? 0 : 1];
  const y = Math.ceil(workgroups / maxPerDim);
  if (y > maxPerDim) throw new ShapeError(`kernel needs ${workgroups} workgroups, more than ${maxPerDim}² the device allows`);
  return [Math.ceil(workgroups / y), y, 1];
}
