import { ShapeError } from './errors.js';

/**
 * Symbolic sizes: integer expressions over named dims, kept as canonical text so that a `Dim`
 * (`number | string`) stays a plain value, shapes compare with `===`, and plans serialize as
 * JSON. A string dim is the canonical text of a polynomial with integer coefficients whose
 * atoms are symbols (`N`), floor divisions (`floor((H+1)/2)`) and minima/maxima (`min(N,8)`);
 * constants are numbers, never strings. Every operation folds constants and returns the
 * canonical text, so two derivations of one size agree wherever the algebra below sees it.
 *
 * Symbols stand for sizes from 1 to 2^31 − 1 (a symbolic dim is never 0: an empty tensor needs a
 * static shape); `DimFacts` narrow that per symbol (bounds, a divisor) where the compiler may use
 * them (templates asking for divisibility, the runtime checking inputs).
 */

/** Per symbol: inclusive bounds and a divisor every size is a multiple of. */
export interface DimFact {
  readonly min?: number;
  readonly max?: number;
  readonly multipleOf?: number;
}

export type DimFacts = Readonly<Record<string, DimFact>>;

/** Dims as compile options give them: a size fixes a dim, a fact describes one that stays symbolic. */
export function splitDims(dims: Readonly<Record<string, number | DimFact>> = {}): { sizes: Record<string, number>; facts: Record<string, DimFact> } {
  const sizes: Record<string, number> = {};
  const facts: Record<string, DimFact> = {};
  for (const [name, value] of Object.entries(dims)) {
    if (typeof value === 'number') sizes[name] = value;
    else facts[name] = value;
  }
  return { sizes, facts };
}

/** The largest size a symbol may take (sizes are u32 in kernels; buffers end far below this). */
export const MAX_SYMBOL_SIZE = 2 ** 31 - 1;

/**
 * A dimension: a size, or a symbolic size as the canonical text of an expression over named dims
 * (`'N'`, `'2*S'`, `'floor((H+1)/2)'`), bound when a plan runs.
 */
export type Dim = number | string;

// ---------------------------------------------------------------------------------------------
// Representation: a polynomial is a map from monomial (a sorted list of atom keys; '' for the
// constant term) to an integer coefficient. Atoms are interned by their canonical text.

type Atom = { readonly kind: 'sym'; readonly name: string } | { readonly kind: 'floor'; readonly num: Poly; readonly den: Poly } | { readonly kind: 'min' | 'max'; readonly args: readonly Poly[] };

interface Term {
  readonly atoms: readonly string[];
  readonly coef: number;
}

/** Monomial key → term. */
type Poly = ReadonlyMap<string, Term>;

const atoms = new Map<string, Atom>();

function monomialKey(list: readonly string[]): string {
  return list.join('\u0001');
}

function constantPoly(c: number): Poly {
  return c === 0 ? new Map() : new Map([['', { atoms: [], coef: c }]]);
}

function atomPoly(key: string): Poly {
  return new Map([[key, { atoms: [key], coef: 1 }]]);
}

function constantOf(p: Poly): number | undefined {
  if (p.size === 0) return 0;
  if (p.size === 1 && p.has('')) return p.get('')!.coef;
  return undefined;
}

function addPoly(a: Poly, b: Poly, scale = 1): Poly {
  const out = new Map(a);
  for (const [k, t] of b) {
    const coef = (out.get(k)?.coef ?? 0) + scale * t.coef;
    if (coef === 0) out.delete(k);
    else out.set(k, { atoms: t.atoms, coef });
  }
  return out;
}

function mulPoly(a: Poly, b: Poly): Poly {
  let out: Poly = new Map();
  for (const ta of a.values()) {
    for (const tb of b.values()) {
      const list = [...ta.atoms, ...tb.atoms].sort();
      out = addPoly(out, new Map([[monomialKey(list), { atoms: list, coef: ta.coef * tb.coef }]]));
    }
  }
  return out;
}

function scalePoly(p: Poly, c: number): Poly {
  return c === 0 ? new Map() : new Map([...p].map(([k, t]) => [k, { atoms: t.atoms, coef: t.coef * c }]));
}

// ---------------------------------------------------------------------------------------------
// Printing: terms by degree (highest first), then by text; the constant last.

function termText(t: Term, first: boolean): string {
  const body = t.atoms.map(atomText).join('*');
  const magnitude = Math.abs(t.coef);
  const sign = t.coef < 0 ? '-' : first ? '' : '+';
  if (!body) return `${sign}${magnitude}`;
  return `${sign}${magnitude === 1 ? '' : `${magnitude}*`}${body}`;
}

function polyText(p: Poly): string {
  const terms = [...p.values()].sort((a, b) => b.atoms.length - a.atoms.length || cmp(a.atoms.join('*'), b.atoms.join('*')));
  if (terms.length === 0) return '0';
  return terms.map((t, i) => termText(t, i === 0)).join('');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A polynomial as an operand of a division: parenthesized unless a single factor. */
function operandText(p: Poly): string {
  const text = polyText(p);
  const only = p.size === 1 ? [...p.values()][0] : undefined;
  const single = only !== undefined && ((only.atoms.length === 0 && only.coef > 0) || (only.atoms.length === 1 && only.coef === 1));
  return single || p.size === 0 ? text : `(${text})`;
}

function atomText(key: string): string {
  return key;
}

function internAtom(atom: Atom): string {
  let key: string;
  switch (atom.kind) {
    case 'sym':
      key = atom.name;
      break;
    case 'floor':
      key = `floor(${operandText(atom.num)}/${operandText(atom.den)})`;
      break;
    default:
      key = `${atom.kind}(${atom.args.map(polyText).join(',')})`;
  }
  if (!atoms.has(key)) atoms.set(key, atom);
  return key;
}

function toDim(p: Poly): Dim {
  const c = constantOf(p);
  return c !== undefined ? c : polyText(p);
}

// ---------------------------------------------------------------------------------------------
// Parsing canonical (or hand-written) text: + - * between terms, integers, identifiers,
// floor(A/B), ceil(A/B), mod(A,B), min(A,B,...), max(A,B,...), parentheses.

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const parsed = new Map<string, Poly>();

class Parser {
  #pos = 0;
  constructor(readonly text: string) {}

  parse(): Poly {
    const p = this.sum();
    this.#skip();
    if (this.#pos !== this.text.length) this.#fail(`unexpected '${this.text[this.#pos]}'`);
    return p;
  }

  #fail(why: string): never {
    throw new ShapeError(`dim expression '${this.text}': ${why} at ${this.#pos}`);
  }

  #skip(): void {
    while (this.text[this.#pos] === ' ') this.#pos++;
  }

  #peek(): string {
    this.#skip();
    return this.text[this.#pos] ?? '';
  }

  #expect(c: string): void {
    if (this.#peek() !== c) this.#fail(`expected '${c}'`);
    this.#pos++;
  }

  sum(): Poly {
    let p = this.product();
    for (;;) {
      const c = this.#peek();
      if (c !== '+' && c !== '-') return p;
      this.#pos++;
      p = addPoly(p, this.product(), c === '+' ? 1 : -1);
    }
  }

  product(): Poly {
    let p = this.unary();
    while (this.#peek() === '*') {
      this.#pos++;
      p = mulPoly(p, this.unary());
    }
    return p;
  }

  unary(): Poly {
    if (this.#peek() === '-') {
      this.#pos++;
      return scalePoly(this.unary(), -1);
    }
    return this.primary();
  }

  primary(): Poly {
    const c = this.#peek();
    if (c === '(') {
      this.#pos++;
      const p = this.sum();
      this.#expect(')');
      return p;
    }
    const number = /^[0-9]+/.exec(this.text.slice(this.#pos));
    if (number) {
      this.#pos += number[0].length;
      const v = Number(number[0]);
      if (!Number.isSafeInteger(v)) this.#fail('integer too large');
      return constantPoly(v);
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.#pos));
    if (!ident) this.#fail(c ? `unexpected '${c}'` : 'unexpected end');
    this.#pos += ident[0].length;
    const name = ident[0];
    if (this.#peek() !== '(') return symbolPoly(name);
    this.#pos++;
    if (name === 'floor' || name === 'ceil') {
      const num = this.sum();
      this.#expect('/');
      const den = this.sum();
      this.#expect(')');
      return name === 'floor' ? floorDivPoly(num, den) : floorDivPoly(addPoly(num, addPoly(den, constantPoly(-1))), den);
    }
    const args: Poly[] = [this.sum()];
    while (this.#peek() === ',') {
      this.#pos++;
      args.push(this.sum());
    }
    this.#expect(')');
    switch (name) {
      case 'min':
      case 'max':
        return extremumPoly(name, args);
      case 'mod':
        if (args.length !== 2) this.#fail('mod takes two arguments');
        return modPoly(args[0], args[1]);
      default:
        return this.#fail(`unknown function '${name}'`);
    }
  }
}

function symbolPoly(name: string): Poly {
  return atomPoly(internAtom({ kind: 'sym', name }));
}

function polyOf(d: Dim): Poly {
  if (typeof d === 'number') {
    if (!Number.isSafeInteger(d)) throw new ShapeError(`dim ${d} is not an integer`);
    return constantPoly(d);
  }
  let p = parsed.get(d);
  if (!p) {
    p = new Parser(d).parse();
    if (parsed.size > 50_000) parsed.clear();
    parsed.set(d, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Bounds: interval arithmetic with every symbol in [min, max] (default [1, 2^31 − 1]).

type Interval = readonly [number, number];

function symbolInterval(name: string, facts: DimFacts | undefined): Interval {
  const f = facts?.[name];
  return [Math.max(1, f?.min ?? 1), Math.min(MAX_SYMBOL_SIZE, f?.max ?? MAX_SYMBOL_SIZE)];
}

function mulInterval(a: Interval, b: Interval): Interval {
  const products = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]].map((x) => (Number.isNaN(x) ? 0 : x));
  return [Math.min(...products), Math.max(...products)];
}

function atomInterval(key: string, facts: DimFacts | undefined): Interval {
  const atom = atoms.get(key)!;
  switch (atom.kind) {
    case 'sym':
      return symbolInterval(atom.name, facts);
    case 'floor': {
      const [nl, nh] = polyInterval(atom.num, facts);
      const [dl, dh] = polyInterval(atom.den, facts);
      if (dl <= 0) return [-Infinity, Infinity];
      const candidates = [nl / dl, nl / dh, nh / dl, nh / dh].map(Math.floor);
      return [Math.min(...candidates), Math.max(...candidates)];
    }
    default: {
      const parts = atom.args.map((a) => polyInterval(a, facts));
      const pick = atom.kind === 'min' ? Math.min : Math.max;
      return [pick(...parts.map((p) => p[0])), pick(...parts.map((p) => p[1]))];
    }
  }
}

function polyInterval(p: Poly, facts: DimFacts | undefined): Interval {
  let lo = 0;
  let hi = 0;
  for (const t of p.values()) {
    let range: Interval = [t.coef, t.coef];
    for (const a of t.atoms) range = mulInterval(range, atomInterval(a, facts));
    lo += range[0];
    hi += range[1];
  }
  return [lo, hi];
}

// ---------------------------------------------------------------------------------------------
// Division, min/max: exact where the algebra shows it, an atom otherwise.

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** p / m when the monomial `m` (with its coefficient) divides every term exactly, else undefined. */
function divideByMonomial(p: Poly, m: Term): Poly | undefined {
  const out = new Map<string, Term>();
  for (const t of p.values()) {
    if (t.coef % m.coef !== 0) return undefined;
    const rest = [...t.atoms];
    for (const a of m.atoms) {
      const i = rest.indexOf(a);
      if (i < 0) return undefined;
      rest.splice(i, 1);
    }
    out.set(monomialKey(rest), { atoms: rest, coef: t.coef / m.coef });
  }
  return out;
}

function floorDivPoly(num: Poly, den: Poly): Poly {
  const d = constantOf(den);
  if (d === 0) throw new ShapeError(`dim expression: division of ${polyText(num)} by 0`);
  if (d !== undefined) {
    if (d < 0) return floorDivPoly(scalePoly(num, -1), scalePoly(den, -1));
    if (d === 1) return num;
    // num = d·q + r term by term (0 ≤ r < d): floor(num/d) = q + floor(r/d), q being an integer.
    let quotient: Poly = new Map();
    let rest: Poly = new Map();
    for (const [k, t] of num) {
      const r = ((t.coef % d) + d) % d;
      const q = (t.coef - r) / d;
      if (q !== 0) quotient = addPoly(quotient, new Map([[k, { atoms: t.atoms, coef: q }]]));
      if (r !== 0) rest = addPoly(rest, new Map([[k, { atoms: t.atoms, coef: r }]]));
    }
    const constant = rest.get('')?.coef ?? 0;
    if (rest.size === 0 || (rest.size === 1 && constant !== 0)) return addPoly(quotient, constantPoly(Math.floor(constant / d)));
    // floor((g·u + c)/(g·k)) = floor((u + floor(c/g))/k) for g dividing every non-constant coefficient.
    let g = d;
    for (const [k, t] of rest) if (k !== '') g = gcd(g, t.coef);
    let reduced: Poly = new Map();
    for (const [k, t] of rest) if (k !== '') reduced = addPoly(reduced, new Map([[k, { atoms: t.atoms, coef: t.coef / g }]]));
    reduced = addPoly(reduced, constantPoly(Math.floor(constant / g)));
    const divisor = d / g;
    const bounds = polyInterval(reduced, undefined);
    // Below the divisor and non-negative: the floor is 0.
    if (bounds[0] >= 0 && bounds[1] < divisor) return quotient;
    const atom = divisor === 1 ? reduced : atomPoly(internAtom({ kind: 'floor', num: reduced, den: constantPoly(divisor) }));
    return addPoly(quotient, atom);
  }
  if (den.size === 1) {
    const exact = divideByMonomial(num, [...den.values()][0]);
    if (exact) return exact;
  }
  return atomPoly(internAtom({ kind: 'floor', num, den }));
}

function modPoly(a: Poly, b: Poly): Poly {
  return addPoly(a, mulPoly(b, floorDivPoly(a, b)), -1);
}

function polyLessEqual(a: Poly, b: Poly, facts: DimFacts | undefined): boolean {
  return polyInterval(addPoly(b, a, -1), facts)[0] >= 0;
}

function extremumPoly(kind: 'min' | 'max', args: readonly Poly[]): Poly {
  const flat: Poly[] = [];
  for (const a of args) {
    const only = a.size === 1 ? [...a.values()][0] : undefined;
    const atom = only && only.coef === 1 && only.atoms.length === 1 ? atoms.get(only.atoms[0]) : undefined;
    if (atom && atom.kind === kind) flat.push(...atom.args);
    else flat.push(a);
  }
  // Drop every argument another one dominates (for min: any that is provably ≥ another).
  const kept: Poly[] = [];
  flat.forEach((a, i) => {
    const dominated = flat.some((b, j) => {
      if (j === i) return false;
      const beats = kind === 'min' ? polyLessEqual(b, a, undefined) : polyLessEqual(a, b, undefined);
      // Of two equal arguments keep the first.
      const equal = polyText(a) === polyText(b);
      return beats && (!equal || j < i);
    });
    if (!dominated) kept.push(a);
  });
  if (kept.length === 1) return kept[0];
  const sorted = kept.sort((x, y) => cmp(polyText(x), polyText(y)));
  return atomPoly(internAtom({ kind, args: sorted }));
}

// ---------------------------------------------------------------------------------------------
// The API, on Dims.

/** A dim's canonical form: a number when constant, else the canonical text (ShapeError if it does not parse). */
export function canonicalDim(d: Dim): Dim {
  return toDim(polyOf(d));
}

/** Whether `text` is usable as a symbol's name in expressions. */
export function isSymbolName(text: string): boolean {
  return IDENT.test(text) && !['floor', 'ceil', 'mod', 'min', 'max'].includes(text);
}

/**
 * A dim from a name someone else chose (an ONNX dim_param): its canonical form when it parses
 * as an expression ('batch', 'past_sequence_length + 1'), else a symbol spelled with the
 * characters expressions allow ('input:0_dim1' → 'input_0_dim1').
 */
export function dimFromName(name: string): Dim {
  try {
    const d = canonicalDim(name);
    if (typeof d === 'string') return d;
  } catch {
    // not an expression: a plain name below
  }
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(id)) id = `d_${id}`;
  if (!isSymbolName(id)) id = `${id}_`;
  return id;
}

export function addDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  return toDim(addPoly(polyOf(a), polyOf(b)));
}

export function subDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return toDim(addPoly(polyOf(a), polyOf(b), -1));
}

export function mulDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  return toDim(mulPoly(polyOf(a), polyOf(b)));
}

/** ⌊a / b⌋ for b > 0. */
export function floorDivDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) throw new ShapeError(`dim expression: division of ${a} by 0`);
    return Math.floor(a / b);
  }
  return toDim(floorDivPoly(polyOf(a), polyOf(b)));
}

/** ⌈a / b⌉ for b > 0. */
export function ceilDivDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) throw new ShapeError(`dim expression: division of ${a} by 0`);
    return Math.ceil(a / b);
  }
  return floorDivDims(subDims(addDims(a, b), 1), b);
}

/** a mod b (the non-negative remainder) for b > 0. */
export function modDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return ((a % b) + b) % b;
  return toDim(modPoly(polyOf(a), polyOf(b)));
}

export function minDims(...args: Dim[]): Dim {
  if (args.every((d): d is number => typeof d === 'number')) return Math.min(...args);
  return toDim(extremumPoly('min', args.map(polyOf)));
}

export function maxDims(...args: Dim[]): Dim {
  if (args.every((d): d is number => typeof d === 'number')) return Math.max(...args);
  return toDim(extremumPoly('max', args.map(polyOf)));
}

/** The product of dims (1 for none). */
export function dimProduct(dims: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of dims) p = mulDims(p, d);
  return p;
}

/** a / b exactly when the algebra shows b divides a, else undefined. */
export function exactDivDims(a: Dim, b: Dim): Dim | undefined {
  if (typeof a === 'number' && typeof b === 'number') return b !== 0 && a % b === 0 ? a / b : undefined;
  const pb = polyOf(b);
  if (pb.size !== 1) return polyText(polyOf(a)) === polyText(pb) ? 1 : undefined;
  const q = divideByMonomial(polyOf(a), [...pb.values()][0]);
  return q ? toDim(q) : undefined;
}

/** The symbols a dim mentions, sorted. */
export function dimSymbols(d: Dim): string[] {
  if (typeof d === 'number') return [];
  const found = new Set<string>();
  const visitPoly = (p: Poly) => {
    for (const t of p.values()) for (const a of t.atoms) visitAtom(a);
  };
  const visitAtom = (key: string) => {
    const atom = atoms.get(key)!;
    if (atom.kind === 'sym') found.add(atom.name);
    else if (atom.kind === 'floor') {
      visitPoly(atom.num);
      visitPoly(atom.den);
    } else atom.args.forEach(visitPoly);
  };
  visitPoly(polyOf(d));
  return [...found].sort();
}

/** The symbols any of the shapes mention, sorted. */
export function shapeSymbols(shapes: readonly (readonly Dim[])[]): string[] {
  return [...new Set(shapes.flatMap((s) => s.flatMap(dimSymbols)))].sort();
}

export type DimBindings = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

function lookup(bindings: DimBindings, name: string): number | undefined {
  return bindings instanceof Map ? bindings.get(name) : (bindings as Readonly<Record<string, number>>)[name];
}

function evalPoly(p: Poly, bindings: DimBindings, where: string): number {
  let sum = 0;
  for (const t of p.values()) {
    let v = t.coef;
    for (const a of t.atoms) v *= evalAtom(a, bindings, where);
    sum += v;
  }
  return sum;
}

function evalAtom(key: string, bindings: DimBindings, where: string): number {
  const atom = atoms.get(key)!;
  switch (atom.kind) {
    case 'sym': {
      const v = lookup(bindings, atom.name);
      if (v === undefined) throw new ShapeError(`${where}: symbolic dim '${atom.name}' is not bound`);
      return v;
    }
    case 'floor': {
      const den = evalPoly(atom.den, bindings, where);
      if (den === 0) throw new ShapeError(`${where}: '${key}' divides by 0`);
      return Math.floor(evalPoly(atom.num, bindings, where) / den);
    }
    default: {
      const values = atom.args.map((a) => evalPoly(a, bindings, where));
      return atom.kind === 'min' ? Math.min(...values) : Math.max(...values);
    }
  }
}

/** A dim's value with its symbols bound; a ShapeError naming `where` and the symbol when one is not. */
export function evaluateDim(d: Dim, bindings: DimBindings, where = 'dim'): number {
  if (typeof d === 'number') return d;
  return evalPoly(polyOf(d), bindings, where);
}

export function evaluateShape(shape: readonly Dim[], bindings: DimBindings, where = 'shape'): number[] {
  return shape.map((d) => evaluateDim(d, bindings, where));
}

/** Substitutes some symbols by dims (sizes or other expressions); the rest stay. */
export function substituteDim(d: Dim, values: ReadonlyMap<string, Dim>): Dim {
  if (typeof d === 'number' || values.size === 0) return d;
  const subPoly = (p: Poly): Poly => {
    let out: Poly = new Map();
    for (const t of p.values()) {
      let term: Poly = constantPoly(t.coef);
      for (const a of t.atoms) term = mulPoly(term, subAtom(a));
      out = addPoly(out, term);
    }
    return out;
  };
  const subAtom = (key: string): Poly => {
    const atom = atoms.get(key)!;
    switch (atom.kind) {
      case 'sym': {
        const v = values.get(atom.name);
        return v === undefined ? atomPoly(key) : polyOf(v);
      }
      case 'floor':
        return floorDivPoly(subPoly(atom.num), subPoly(atom.den));
      default:
        return extremumPoly(atom.kind, atom.args.map(subPoly));
    }
  };
  return toDim(subPoly(polyOf(d)));
}

/** The range a dim can take given the facts (symbols default to [1, 2^31 − 1]). */
export function dimBounds(d: Dim, facts?: DimFacts): { readonly min: number; readonly max: number } {
  if (typeof d === 'number') return { min: d, max: d };
  const [min, max] = polyInterval(polyOf(d), facts);
  return { min, max };
}

/** Whether a ≤ b for every size the facts allow (false when it cannot be shown). */
export function proveLessEqual(a: Dim, b: Dim, facts?: DimFacts): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a <= b;
  return polyLessEqual(polyOf(a), polyOf(b), facts);
}

/** Whether every size the dim can take is a multiple of k (from its coefficients and the symbols' divisors). */
export function dimDivisibleBy(d: Dim, k: number, facts?: DimFacts): boolean {
  if (typeof d === 'number') return d % k === 0;
  for (const t of polyOf(d).values()) {
    let divisor = Math.abs(t.coef);
    for (const a of t.atoms) {
      const atom = atoms.get(a)!;
      if (atom.kind === 'sym') divisor *= facts?.[atom.name]?.multipleOf ?? 1;
    }
    if (divisor % k !== 0) return false;
  }
  return true;
}

/**
 * Solves `d = value` for its one unbound symbol when d is affine in it (a·X + rest, X at most
 * once per term and never inside a division or min/max; a may hold bound symbols: N·K with N
 * known): the symbol and its size, or undefined when d is not of that form or the solution is
 * not a whole number.
 */
export function solveDim(d: Dim, value: number, bindings: DimBindings): { readonly symbol: string; readonly size: number } | undefined {
  if (typeof d === 'number') return undefined;
  const unbound = dimSymbols(d).filter((s) => lookup(bindings, s) === undefined);
  if (unbound.length !== 1) return undefined;
  const [symbol] = unbound;
  const p = polyOf(d);
  const key = internAtom({ kind: 'sym', name: symbol });
  let coef = 0;
  let rest: Poly = new Map();
  for (const [k, t] of p) {
    const uses = t.atoms.filter((a) => a === key).length;
    if (uses === 0) {
      rest = addPoly(rest, new Map([[k, t]]));
      continue;
    }
    if (uses > 1) return undefined;
    const others = t.atoms.filter((a) => a !== key);
    if (others.some((a) => dimSymbols(a).includes(symbol))) return undefined;
    let factor = t.coef;
    for (const a of others) factor *= evalAtom(a, bindings, 'solve');
    coef += factor;
  }
  if (coef === 0 || dimSymbols(toDim(rest)).includes(symbol)) return undefined;
  const remainder = value - evalPoly(rest, bindings, 'solve');
  if (remainder % coef !== 0) return undefined;
  return { symbol, size: remainder / coef };
}
