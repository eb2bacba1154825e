import type { DawnflowError } from './errors.js';
import { UsageError } from './errors.js';

/**
 * A table of entries by name, filled once as modules load: the op registry, the reference
 * kernels, the WGSL lowerings, the gradient rules and the ONNX op table are each one.
 * Registering a name twice is an error (two files claiming one op is always a mistake); a
 * missing name is the registry's own typed error, naming where it was looked up, because
 * only the registry knows what "missing" means for its entries (an unknown op, an op without
 * a WGSL kernel...).
 */
export class Registry<T> {
  readonly #entries = new Map<string, T>();
  readonly #missing: (name: string, where: string) => DawnflowError;

  /**
   * @param what what an entry is, for the duplicate message ("reference kernel")
   * @param missing the error for a name not registered, given the name and where it was needed
   */
  constructor(
    readonly what: string,
    missing: (name: string, where: string) => DawnflowError,
  ) {
    this.#missing = missing;
  }

  /** Adds an entry; a name registered twice is a UsageError. Returns the entry. */
  register(name: string, entry: T): T {
    if (this.#entries.has(name)) throw new UsageError(`${this.what} '${name}' registered twice`);
    this.#entries.set(name, entry);
    return entry;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The entry for `name`; the registry's typed error naming `where` when there is none. */
  get(name: string, where: string = name): T {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw this.#missing(name, where);
    return entry;
  }

  /** The entry for `name`, or undefined (for callers to whom absence is an answer, not an error). */
  find(name: string): T | undefined {
    return this.#entries.get(name);
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Registered entries, in registration order. */
  values(): T[] {
    return [...this.#entries.values()];
  }
}
