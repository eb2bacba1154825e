import type { HostTensor } from '../ir/tensor.js';

/**
 * Host copies of an executable's states, kept so that a device loss costs at most the runs
 * since the last copy: recovery uploads the newest one to the new device.
 *
 * States written by the caller (`writeState`) after that copy are journaled too, since a copy
 * taken after the write may not make it home before the loss: the restore is the newest copy
 * with the later writes laid over it. Only the last write of each state is kept.
 */

/** Every state's value after `run` runs of the executable (0: before any run). */
export interface StateSnapshot {
  readonly run: number;
  readonly states: Readonly<Record<string, HostTensor>>;
}

export class SnapshotStore {
  #latest: { readonly seq: number; readonly snapshot: StateSnapshot } | undefined;
  readonly #pending = new Set<Promise<void>>();
  readonly #writes = new Map<string, { readonly seq: number; readonly value: HostTensor }>();
  /** Order of submission: copies may come back out of order, the newest submitted wins. */
  #seq = 0;

  /** The newest snapshot that made it to the host. */
  get latest(): StateSnapshot | undefined {
    return this.#latest?.snapshot;
  }

  /**
   * Tracks a copy on its way back from the device. A copy that fails (the device was lost
   * before it arrived) is dropped: the previous snapshot stands. Resolves to the snapshot, or
   * undefined when the copy failed.
   */
  track(run: number, read: Promise<Readonly<Record<string, HostTensor>>>): Promise<StateSnapshot | undefined> {
    const seq = ++this.#seq;
    const result = read.then(
      (states) => this.#offer(seq, { run, states }),
      () => undefined,
    );
    const settled = result.then(() => undefined);
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
    return result;
  }

  /** Records a snapshot already on the host. */
  set(run: number, states: Readonly<Record<string, HostTensor>>): StateSnapshot {
    return this.#offer(++this.#seq, { run, states });
  }

  /** Journals a state the caller wrote (`value` must be the caller's own copy). */
  recordWrite(name: string, value: HostTensor): void {
    this.#writes.set(name, { seq: ++this.#seq, value });
  }

  /**
   * What a recovery uploads: the newest snapshot (or nothing: the plan's initial values) with
   * the writes made after it laid over it.
   */
  restorable(): { run: number; states: Readonly<Record<string, HostTensor>> | undefined } {
    const latest = this.#latest;
    const states: Record<string, HostTensor> = { ...latest?.snapshot.states };
    let written = false;
    for (const [name, { seq, value }] of this.#writes) {
      if (latest && seq < latest.seq) continue;
      states[name] = value;
      written = true;
    }
    return { run: latest?.snapshot.run ?? 0, states: latest || written ? states : undefined };
  }

  /** Waits for every copy in flight to arrive or fail. */
  async settle(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  #offer(seq: number, snapshot: StateSnapshot): StateSnapshot {
    if (!this.#latest || this.#latest.seq < seq) {
      this.#latest = { seq, snapshot };
      for (const [name, write] of this.#writes) if (write.seq < seq) this.#writes.delete(name);
    }
    return snapshot;
  }
}
