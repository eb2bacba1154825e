import type { Dim, DType, Shape } from '../../ir/index.js';
import { canonicalDim, mulDims } from '../../ir/index.js';
import type { Expr, WgslType } from './expr.js';
import { convert, expr, fromStorage, literal, NON_FINITE_HELPERS, storageType } from './expr.js';

/**
 * A tensor as a kernel sees it: a function from element coordinates to a scalar expression.
 * Coordinates are WGSL u32 expressions, one per dim. Loads from buffers, elementwise math,
 * broadcasting, transposes, slices... all are TensorAccesses, so chaining them is fusion:
 * an op's lowering never knows whether its inputs are buffers or other ops' expressions.
 */
export interface TensorAccess {
  readonly dtype: DType;
  /** Sizes or symbolic dims (read in WGSL through `KernelBuilder.size`). */
  readonly shape: Shape;
  at(coords: readonly string[]): Expr;
}

export interface KernelBinding {
  /** The caller's key for the tensor bound here (a Value id). */
  readonly key: number;
  readonly name: string;
  readonly dtype: DType;
  /** Elements per array entry: 4 for `array<vec4<f32>>` (wide loads and stores). */
  readonly width: 1 | 4;
}

/** A finished kernel: its module and how to bind and dispatch it. */
export interface BuiltKernel {
  readonly name: string;
  readonly wgsl: string;
  readonly entryPoint: string;
  readonly workgroupSize: readonly [number, number, number];
  /** Tensor keys (value ids) in binding order. */
  readonly bindings: readonly number[];
  /** Workgroups per axis: sizes, or expressions of the symbolic dims evaluated at run time. */
  readonly dispatch: readonly [Dim, Dim, Dim];
  /**
   * When set, dispatch[0] counts the workgroups of a 1-D grid that the runtime splits into 2-D
   * past the device's per-axis limit (per-element kernels index by `gid.x + gid.y · nwg.x · wg`).
   */
  readonly splitGrid?: boolean;
  /**
   * The kernel's size slots (`KernelBuilder.size`): slot i holds the value of sizes[i], written
   * by the runtime into the uniform `sizes` at @group(1) for each dispatch. Empty: no uniform.
   */
  readonly sizes: readonly Dim[];
  /** The subgroup size the kernel's broadcasts assume at least (absent: no subgroup operations). */
  readonly subgroupSize?: number;
}

/**
 * Which sizes a kernel reads from its uniform rather than baking in: 'symbolic' only the
 * symbolic ones (static kernels are unchanged), 'all' every size (same-structured layers of
 * different sizes then share one WGSL module and pipeline).
 */
export type SizeUniforms = 'symbolic' | 'all';

/** The WGSL read of size slot i of a kernel's `sizes` uniform (vec4 entries: uniform arrays have a 16-byte stride). */
export function sizeSlotRead(slot: number): string {
  return `sizes.v[${slot >> 2}].${'xyzw'[slot & 3]}`;
}

/** Predeclared WGSL type names a prefix and a counter can spell: a `let` of one shadows the type in its scope. */
const TYPE_NAMES = new Set(['i32', 'u32', 'f32', 'f16', 'vec2', 'vec3', 'vec4']);

/**
 * How invocations find their work: one per element from a flat global id (`idx`/`gid`, with
 * `nwg` for 2-D grids), or tiles addressed by workgroup and local ids (`wid`, `lid`).
 */
export type EntryKind = 'per-element' | 'tiled';

/**
 * Accumulates one WGSL compute kernel: storage bindings, helper functions, and the body's
 * statements. `let` gives every intermediate a name so expressions are never duplicated, and a
 * scope-aware memo lets an access used twice at the same coordinates compute once.
 */
export class KernelBuilder {
  readonly bindings: KernelBinding[] = [];
  #helpers = new Map<string, string>();
  #enables = new Set<string>();
  #subgroupSize = 0;
  /** Whether a loop bound reads the workgroup count (see `opaqueCount`). */
  #readsWorkgroupCount = false;
  #lines: string[] = [];
  #indent = 1;
  #scopes: Map<string, Expr>[] = [new Map()];
  #counter = 0;
  /** For each bound key, the coordinate lists it was read at (for in-place analysis). */
  readonly #reads = new Map<number, Set<string>>();
  /** Tensors whose storage another tensor's binding stands for (in-place outputs → inputs). */
  readonly #aliases: ReadonlyMap<number, number>;
  readonly #sizeUniforms: SizeUniforms;
  /** Size slots in order, and each canonical dim's slot. */
  readonly #slots: Dim[] = [];
  readonly #slotOf = new Map<Dim, number>();

  constructor(aliases: ReadonlyMap<number, number> = new Map(), sizeUniforms: SizeUniforms = 'symbolic') {
    this.#aliases = aliases;
    this.#sizeUniforms = sizeUniforms;
  }

  /**
   * A size as a WGSL u32 expression: a literal (`12u`) for a static size (unless every size goes
   * through the uniform), else a read of the kernel's size slot holding it, one slot per distinct
   * expression. The runtime evaluates each slot's expression from the bound dims.
   */
  size(d: Dim): string {
    if (this.bakes(d)) {
      if (d < 0 || !Number.isInteger(d)) throw new Error(`codegen: size ${d} is not a u32`);
      return `${d}u`;
    }
    // Symbolic expressions share a slot; static sizes ('all') get one per use, so the slots
    // follow the kernel's structure, not which of its sizes happen to be equal.
    const key = canonicalDim(d);
    let slot = typeof key === 'number' ? undefined : this.#slotOf.get(key);
    if (slot === undefined) {
      slot = this.#slots.length;
      this.#slots.push(key);
      this.#slotOf.set(key, slot);
    }
    return sizeSlotRead(slot);
  }

  /**
   * Whether `size(d)` writes d as a literal: a static size, unless every size goes through the
   * uniform. Loops over a baked size bound their trips opaquely (`opaqueCount`); a uniform's
   * read is opaque to the shader compiler already.
   */
  bakes(d: Dim): d is number {
    return typeof d === 'number' && (this.#sizeUniforms === 'symbolic' || d < 0);
  }

  /** A size as an expression of another scalar type: a literal when static, else the slot converted. */
  sizeAs(d: Dim, type: WgslType): Expr {
    if (this.bakes(d)) return literal(d, type);
    // Slots hold u32 words: a negative value arrives as its two's complement, which i32 reads back.
    return convert(expr(this.size(d), 'u32'), type);
  }

  /** Whether the kernel reads any size from its uniform. */
  get hasSizeSlots(): boolean {
    return this.#slots.length > 0;
  }

  /**
   * Keys read only at coordinates among `coordLists` (the elements the invocation stores, each
   * written by the invocation that read it there), never elsewhere: in-place candidates.
   */
  readsOnlyAt(coordLists: readonly (readonly string[])[]): number[] {
    const stored = new Set(coordLists.map((c) => c.join(',')));
    return [...this.#reads].filter(([, set]) => set.size > 0 && [...set].every((k) => stored.has(k))).map(([k]) => k);
  }

  /** A new identifier: the prefix and a counter, never the name of a WGSL type (`i32` would shadow the type). */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}${this.#counter++}`;
    while (TYPE_NAMES.has(name));
    return name;
  }

  /** Binds a tensor (deduplicated by key) and returns its storage variable's name. */
  bind(key: number, dtype: DType): string {
    key = this.#aliases.get(key) ?? key;
    const found = this.bindings.find((b) => b.key === key);
    if (found) return found.name;
    if (dtype === 'f16') this.#enables.add('f16');
    const name = `buf${this.bindings.length}`;
    this.bindings.push({ key, name, dtype, width: 1 });
    return name;
  }

  /**
   * Binds an f32 tensor as `array<vec4<f32>>` for wide loads/stores. Must come before any scalar
   * use of the same tensor (scalar reads of it are then indexed through the vectors).
   */
  bindVec4(key: number): string | null {
    if (this.bindings.some((b) => b.key === key)) return null;
    const name = `buf${this.bindings.length}`;
    this.bindings.push({ key, name, dtype: 'f32', width: 4 });
    return name;
  }

  /** A load access over a bound buffer in row-major layout. */
  loadAccess(key: number, dtype: DType, shape: Shape): TensorAccess {
    const name = this.bind(key, dtype);
    const strides = dimStrides(shape);
    return {
      dtype,
      shape,
      at: (coords) => {
        let reads = this.#reads.get(key);
        if (!reads) this.#reads.set(key, (reads = new Set()));
        reads.add(coords.join(','));
        const index = linearIndex(this, coords, shape, strides);
        const wide = this.bindings.find((b) => b.name === name)!.width === 4;
        const element = wide ? `${name}[(${index}) / 4u][(${index}) % 4u]` : `${name}[${index}]`;
        return this.memo(element, () => this.let(fromStorage(element, dtype)));
      },
    };
  }

  line(code: string): void {
    this.#lines.push(`${'  '.repeat(this.#indent)}${code}`);
  }

  /** Emits `let tN = e;` and returns the name as an expression. */
  let(e: Expr, prefix = 't'): Expr {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.code)) return e;
    const name = this.fresh(prefix);
    this.line(`let ${name} = ${e.code};`);
    return expr(name, e.type);
  }

  /** Emits `var vN: type = init;` and returns its name. */
  variable(init: Expr, prefix = 'v'): Expr {
    const name = this.fresh(prefix);
    this.line(`var ${name}: ${init.type} = ${init.code};`);
    return expr(name, init.type);
  }

  /** Computes a value once per scope: inner scopes see outer values, not the reverse. */
  memo(key: string, make: () => Expr): Expr {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const hit = this.#scopes[i].get(key);
      if (hit) return hit;
    }
    const v = make();
    this.#scopes[this.#scopes.length - 1].set(key, v);
    return v;
  }

  /** A block (loop body, branch) with its own scope. */
  block(header: string, body: () => void): void {
    this.line(`${header} {`);
    this.#indent++;
    this.#scopes.push(new Map());
    body();
    this.#scopes.pop();
    this.#indent--;
    this.line('}');
  }

  /**
   * for (var i = 0u; i < count; i++) { body(i) }; a number is a static trip count, an Expr a u32
   * computed in the shader (a size slot's read, say). Not a Dim: a symbolic dim's name is no WGSL
   * (loopDim reads it from its slot). A constant count of 2 or more is written as one the shader
   * compiler cannot fold (`opaqueCount`), so the driver keeps the loop a loop.
   */
  loop(count: number | Expr, body: (index: string) => void): void {
    const i = this.fresh('i');
    const bound = typeof count !== 'number' ? count.code : count <= 1 ? `${count}u` : this.opaqueCount(count);
    this.block(`for (var ${i} = 0u; ${i} < ${bound}; ${i}++)`, () => body(i));
  }

  /**
   * `count` as a u32 the shader compiler cannot see is constant: count + (the dispatch's
   * workgroup count along x >> 31), which is count (no dispatch has 2³¹ workgroups along a
   * dimension: WebGPU's limit is 65535 and grids are split past the device's) but folds only for
   * a compiler that knows the dispatch. Drivers fully unroll loops with small constant trip
   * counts (lavapipe: up to 32 trips), nested ones multiplicatively; unrolled loops of memory
   * reads cost seconds of LLVM time per kernel at pipeline creation (lavapipe, a 13×13 mean:
   * 6.6 CPU s as written, 0.06 s with this bound; `min(count, count + x)` still gave the driver
   * an upper bound to unroll to: 0.3 s) and buy nothing measurable at run time. One `let` per
   * count and scope.
   */
  opaqueCount(count: number): string {
    this.#readsWorkgroupCount = true;
    return this.memo(`opaque count ${count}`, () => this.let(expr(`${count}u + (nwg.x >> 31u)`, 'u32'), 'n')).code;
  }

  /** A loop over a dim's extent: static trip count when the dim is a size, the size slot otherwise. */
  loopDim(count: Dim, body: (index: string) => void): void {
    this.loop(this.bakes(count) ? count : expr(this.size(count), 'u32'), body);
  }

  /** A helper function emitted once, whatever the number of callers. */
  helper(name: string, code: string): string {
    if (!this.#helpers.has(name)) this.#helpers.set(name, code);
    return name;
  }

  enable(extension: string): void {
    this.#enables.add(extension);
  }

  /**
   * The invocation's lane in its subgroup (`sid`), for kernels that share loads through
   * `subgroupBroadcast`; `size` is the subgroup size they rely on (the device must guarantee at
   * least that many lanes).
   */
  subgroupLane(size: number): string {
    this.enable('subgroups');
    this.#subgroupSize = Math.max(this.#subgroupSize, size);
    return 'sid';
  }

  /**
   * Renders the module with the entry point `main` and describes the kernel. `dispatch` may hold
   * expressions of symbolic dims; with `splitGrid`, dispatch[0] is a 1-D workgroup count the
   * runtime folds into 2-D past the device's limit.
   */
  finish(name: string, entry: EntryKind, workgroupSize: readonly [number, number, number], dispatch: readonly [Dim, Dim, Dim], splitGrid = false): BuiltKernel {
    const size = workgroupSize[1] === 1 && workgroupSize[2] === 1 ? `${workgroupSize[0]}` : `${workgroupSize[0]}, ${workgroupSize[1]}`;
    const builtins =
      entry === 'per-element'
        ? '@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>'
        : `@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>${this.#readsWorkgroupCount ? ', @builtin(num_workgroups) nwg: vec3<u32>' : ''}`;
    const lane = this.#subgroupSize > 0 ? ', @builtin(subgroup_invocation_id) sid: u32' : '';
    const wgsl = this.render(`@compute @workgroup_size(${size})\nfn main(${builtins}${lane})`);
    const kernel: BuiltKernel = { name, wgsl, entryPoint: 'main', workgroupSize, bindings: this.bindings.map((x) => x.key), dispatch, sizes: [...this.#slots] };
    const withGrid = splitGrid ? { ...kernel, splitGrid } : kernel;
    return this.#subgroupSize > 0 ? { ...withGrid, subgroupSize: this.#subgroupSize } : withGrid;
  }

  /** The module: enables, bindings (all read_write, see runtime), the sizes uniform, helpers, then the entry point. */
  render(entryHeader: string): string {
    const enables = [...this.#enables].map((e) => `enable ${e};`);
    const bindings = this.bindings.map(
      (b, i) => `@group(0) @binding(${i}) var<storage, read_write> ${b.name}: array<${b.width === 4 ? 'vec4<f32>' : storageType(b.dtype)}>;`,
    );
    if (this.#slots.length > 0) {
      bindings.push(`struct Sizes {\n  v: array<vec4<u32>, ${Math.ceil(this.#slots.length / 4)}>,\n}`, `@group(1) @binding(0) var<uniform> sizes: Sizes;`);
    }
    const helpers = [...this.#helpers.values()];
    const text = [...helpers, ...this.#lines].join('\n');
    for (const [name, code] of Object.entries(NON_FINITE_HELPERS)) if (text.includes(`${name}(`)) helpers.unshift(code);
    return [...enables, ...bindings, '', ...helpers, `${entryHeader} {`, ...this.#lines, '}', ''].join('\n');
  }
}

/** Row-major strides of a shape whose dims may be symbolic. */
export function dimStrides(shape: Shape): Dim[] {
  const strides = new Array<Dim>(shape.length);
  let s: Dim = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s = mulDims(s, shape[i]);
  }
  return strides;
}

/** Row-major linear index; size-1 dims contribute nothing; symbolic strides read size slots. */
export function linearIndex(b: KernelBuilder, coords: readonly string[], shape: Shape, strides: readonly Dim[] = dimStrides(shape)): string {
  const terms: string[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const c = /^[\w.]+$/.test(coords[i]) ? coords[i] : `(${coords[i]})`;
    terms.push(strides[i] === 1 ? c : `${c} * ${b.size(strides[i])}`);
  });
  return terms.length ? terms.join(' + ') : '0u';
}

/** Coordinates of a row-major linear index, one `let` per dim. */
export function unravel(b: KernelBuilder, index: string, shape: Shape): string[] {
  const strides = dimStrides(shape);
  return shape.map((d, i) => {
    if (d === 1) return '0u';
    const div = strides[i] === 1 ? index : `(${index} / ${b.size(strides[i])})`;
    const code = i === 0 ? div : `${div} % ${b.size(d)}`;
    return b.let(expr(code, 'u32'), 'c').code;
  });
}
