import { Parameter } from './parameter.js';
import type { Tensor } from './tensor.js';

/**
 * A building block of a model. A module owns parameters and sub-modules as ordinary fields
 * (arrays of them too); listing the parameters walks those fields, so a user-defined module
 * needs nothing but fields and a `forward`:
 *
 *   class Mlp extends Module {
 *     fc1 = new Linear(784, 256);
 *     fc2 = new Linear(256, 10);
 *     forward(x: Tensor) { return this.fc2.call(this.fc1.call(x).relu()); }
 *   }
 *
 * Parameters are named by their path ("fc1.weight"; a Map field's keys are path parts too); that
 * name is the state's name in every compiled plan and in checkpoints.
 */
export abstract class Module {
  /** The module's path in its model ("encoder.fc1"), set when the parameters are listed. */
  #path = '';
  /** Its name inside its parent ("fc1", "layers.0"): the scope of its nodes' names. */
  #name = '';

  abstract forward(x: Tensor): Tensor;

  /** forward() with node names scoped by module ("encoder/fc1/matmul_0": readable plans and errors). */
  call(x: Tensor): Tensor {
    return x.trace.scope(this.#name, () => this.forward(x));
  }

  /** Runs `fn` with node names scoped by this module, as `call` does: for methods besides forward. */
  protected within<T>(trace: Tensor['trace'], fn: () => T): T {
    return trace.scope(this.#name, fn);
  }

  get path(): string {
    return this.#path;
  }

  /** Every parameter under this module with its path; names the parameters as it goes. */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const visit = (value: unknown, path: string, name: string): void => {
      if (value instanceof Parameter) {
        if (seen.has(value)) return;
        seen.add(value);
        value.name = path;
        out.push([path, value]);
      } else if (value instanceof Module) {
        value.#path = path;
        value.#name = name;
        for (const [key, child] of Object.entries(value)) visit(child, path ? `${path}.${key}` : key, key);
      } else if (Array.isArray(value)) {
        value.forEach((child, i) => visit(child, `${path}.${i}`, `${name}.${i}`));
      } else if (value instanceof Map) {
        // Keyed by name (an imported model's initializers): the key is the path's last part.
        for (const [key, child] of value) visit(child, `${path}.${String(key)}`, `${name}.${String(key)}`);
      }
    };
    visit(this, '', '');
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Names every parameter and draws its initial value from `seed` (and its name). */
  initialize(seed = 0): this {
    for (const p of this.parameters()) p.initialize(seed);
    return this;
  }
}

/** A module from a plain function (activation layers, reshapes, anything without parameters). */
export class Lambda extends Module {
  constructor(readonly fn: (x: Tensor) => Tensor) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/** Applies its layers in order. */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }
  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, layer) => layer.call(h), x);
  }
}
