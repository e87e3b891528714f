/**
 * Mixing call flows by weight: smooth weighted round-robin (as nginx's
 * upstream balancer), so the mix is exact over every cycle of `sum(weights)`
 * picks and spread out within it (weights 3:1 give A A B A, A A B A, ...,
 * never A A A B bursts), and deterministic, so tests can count.
 */

import { InvalidArgumentError } from '../errors.js';

export class WeightedMix<T> {
  readonly #items: readonly T[];
  readonly #weights: readonly number[];
  readonly #current: number[];
  readonly #total: number;

  constructor(entries: readonly { readonly item: T; readonly weight: number }[]) {
    if (entries.length === 0) throw new InvalidArgumentError('a mix needs at least one entry');
    for (const e of entries) {
      if (!(Number.isFinite(e.weight) && e.weight > 0)) {
        throw new InvalidArgumentError(`a weight must be a finite number > 0, got ${String(e.weight)}`);
      }
    }
    this.#items = entries.map((e) => e.item);
    this.#weights = entries.map((e) => e.weight);
    this.#current = entries.map(() => 0);
    this.#total = this.#weights.reduce((a, b) => a + b, 0);
  }

  next(): T {
    let best = 0;
    for (let i = 0; i < this.#current.length; i++) {
      this.#current[i]! += this.#weights[i]!;
      if (this.#current[i]! > this.#current[best]!) best = i;
    }
    this.#current[best]! -= this.#total;
    return this.#items[best]!;
  }
}
