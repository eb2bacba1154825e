import { UsageError } from '../../ir/errors.js';
import { type Bytes, type Communicator, type ReduceOp, reduceInOrder } from './communicator.js';

/**
 * A Communicator over some ranks of another one (the replicas of one pipeline stage), built
 * from the parent's send/recv alone, so it works over any implementation. Reductions go to the
 * group's first rank, which sums in group order (f64, rounded once) and sends the result back:
 * deterministic, and fine for the few replicas of one host. Tags live above `tagBase` so that
 * they never meet the parent's own traffic between the same two ranks.
 */
export class GroupCommunicator implements Communicator {
  readonly rank: number;
  readonly size: number;
  readonly localRank: number;
  readonly localSize: number;
  readonly kind: string;
  readonly #parent: Communicator;
  readonly #members: readonly number[];
  readonly #tagBase: number;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(parent: Communicator, members: readonly number[], tagBase = 30_000) {
    const rank = members.indexOf(parent.rank);
    if (rank < 0) throw new UsageError(`rank ${parent.rank} is not in the group [${members.join(', ')}]`);
    if (new Set(members).size !== members.length || members.some((m) => !Number.isInteger(m) || m < 0 || m >= parent.size)) {
      throw new UsageError(`group [${members.join(', ')}]: members must be distinct ranks of the parent (0..${parent.size - 1})`);
    }
    this.#parent = parent;
    this.#members = members;
    this.#tagBase = tagBase;
    this.rank = rank;
    this.size = members.length;
    this.localRank = parent.localRank;
    this.localSize = parent.localSize;
    this.kind = `${parent.kind} group`;
  }

  allReduce(data: Float32Array, op: ReduceOp = 'sum'): Promise<void> {
    return this.#serial(async () => {
      if (this.size === 1) return;
      const tag = this.#tagBase;
      if (this.rank !== 0) {
        await this.#parent.send(data, this.#members[0], tag);
        await this.#parent.recv(data, this.#members[0], tag + 1);
        return;
      }
      const parts = [data, ...this.#members.slice(1).map(() => new Float32Array(data.length))];
      await Promise.all(this.#members.slice(1).map((m, i) => this.#parent.recv(parts[i + 1], m, tag)));
      reduceInOrder(parts, data, op);
      await Promise.all(this.#members.slice(1).map((m) => this.#parent.send(data, m, tag + 1)));
    });
  }

  broadcast(data: Bytes, root: number): Promise<void> {
    return this.#serial(async () => {
      if (this.size === 1) return;
      const tag = this.#tagBase + 2;
      if (this.rank === root) await Promise.all(this.#members.filter((_, i) => i !== root).map((m) => this.#parent.send(data, m, tag)));
      else await this.#parent.recv(data, this.#members[root], tag);
    });
  }

  send(data: Bytes, to: number, tag = 0): Promise<void> {
    return this.#parent.send(data, this.#member(to), this.#tagBase + 10 + tag);
  }

  recv(data: Bytes, from: number, tag = 0): Promise<void> {
    return this.#parent.recv(data, this.#member(from), this.#tagBase + 10 + tag);
  }

  barrier(): Promise<void> {
    return this.allReduce(new Float32Array(1));
  }

  async close(): Promise<void> {
    // The parent stays open: it belongs to whoever made the group.
  }

  #member(rank: number): number {
    const m = this.#members[rank];
    if (m === undefined) throw new UsageError(`group rank ${rank} is not in [0, ${this.size})`);
    return m;
  }

  #serial(run: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(run);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}
