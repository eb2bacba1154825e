import { ModelFormatError } from '../../ir/index.js';
import type { AttributeProto, GraphProto, TensorProto } from './proto.js';
import { toInt } from './proto.js';

/** AttributeProto.AttributeType codes. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 } as const;

const decoder = new TextDecoder();

/**
 * Typed access to a node's attributes. A missing required attribute or one of the wrong kind
 * is a ModelFormatError naming the node. Old exporters sometimes leave `type` unset; the
 * populated field decides then.
 */
export class NodeAttributes {
  readonly #attrs = new Map<string, AttributeProto>();

  constructor(
    attrs: readonly AttributeProto[],
    readonly where: string,
  ) {
    for (const a of attrs) this.#attrs.set(a.name ?? '', a);
  }

  has(name: string): boolean {
    return this.#attrs.has(name);
  }

  names(): string[] {
    return [...this.#attrs.keys()];
  }

  #get(name: string, type: number): AttributeProto | undefined {
    const a = this.#attrs.get(name);
    if (!a) return undefined;
    if (a.type && a.type !== type) throw new ModelFormatError(`${this.where}: attribute '${name}' has type ${a.type}, expected ${type}`);
    return a;
  }

  #missing(name: string): never {
    throw new ModelFormatError(`${this.where}: missing required attribute '${name}'`);
  }

  int(name: string, fallback?: number): number {
    const a = this.#get(name, AttrType.INT);
    if (a) return toInt(a.i);
    return fallback ?? this.#missing(name);
  }

  float(name: string, fallback?: number): number {
    const a = this.#get(name, AttrType.FLOAT);
    if (a) return a.f ?? 0;
    return fallback ?? this.#missing(name);
  }

  string(name: string, fallback?: string): string {
    const a = this.#get(name, AttrType.STRING);
    if (a) return decoder.decode(a.s ?? new Uint8Array());
    return fallback ?? this.#missing(name);
  }

  ints(name: string, fallback?: readonly number[]): number[] {
    const a = this.#get(name, AttrType.INTS);
    if (a) return (a.ints ?? []).map(toInt);
    if (fallback) return [...fallback];
    return this.#missing(name);
  }

  floats(name: string, fallback?: readonly number[]): number[] {
    const a = this.#get(name, AttrType.FLOATS);
    if (a) return [...(a.floats ?? [])];
    if (fallback) return [...fallback];
    return this.#missing(name);
  }

  strings(name: string, fallback?: readonly string[]): string[] {
    const a = this.#get(name, AttrType.STRINGS);
    if (a) return (a.strings ?? []).map((s) => decoder.decode(s));
    if (fallback) return [...fallback];
    return this.#missing(name);
  }

  tensor(name: string): TensorProto | undefined {
    return this.#get(name, AttrType.TENSOR)?.t ?? undefined;
  }

  graph(name: string): GraphProto | undefined {
    return this.#get(name, AttrType.GRAPH)?.g ?? undefined;
  }

  /** The raw proto (Constant looks at which of its value_* attributes is present). */
  raw(name: string): AttributeProto | undefined {
    return this.#attrs.get(name);
  }
}
