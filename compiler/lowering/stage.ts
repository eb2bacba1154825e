import type { LoweringOptions } from './options.js';

/**
 * One step of the lowering: a function from one plain value to the next (a graph, its kernel
 * groups, their order, their WGSL, the lifetimes, the layout, the plan), with a printer for the
 * value it makes (`--print-ir-after`). Each stage types `run` and `describe` with its own values;
 * `never` here admits every stage, and `chain` checks that the stages of a list fit together.
 */
export interface Stage {
  readonly name: string;
  /** What it is for, in a few words (for `inspect` and the reader of the list). */
  readonly purpose: string;
  /** From the value the stage before made to this stage's value. */
  readonly run: (input: never, options: LoweringOptions) => unknown;
  /** This stage's value as text. */
  readonly describe: (output: never) => string;
}

type InputOf<S> = S extends { readonly run: (input: infer In, options: LoweringOptions) => unknown } ? In : never;
type OutputOf<S> = S extends { readonly run: (input: never, options: LoweringOptions) => infer Out } ? Out : never;
type PrintedOf<S> = S extends { readonly describe: (output: infer Out) => string } ? Out : never;

/**
 * `true` when each stage's printer takes what the stage makes and each stage takes what the
 * stage before it makes; otherwise the first stage or pair that does not fit.
 */
export type Chained<S extends readonly unknown[]> = S extends readonly [infer A, ...infer Rest]
  ? [OutputOf<A>] extends [PrintedOf<A>]
    ? Rest extends readonly [infer B, ...unknown[]]
      ? [OutputOf<A>] extends [InputOf<B>]
        ? Chained<Rest>
        : { readonly mismatch: readonly [A, B] }
      : true
    : { readonly unprintable: A }
  : true;

/** The stages as given, when they chain (a list out of order does not type-check here). */
export function chain<const S extends readonly Stage[]>(stages: S & (Chained<S> extends true ? unknown : Chained<S>)): S {
  return stages;
}
