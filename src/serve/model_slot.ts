/**
 * The model a server answers with, swapped only between batches: a batch `acquire`s the model
 * and `release`s it when done; a new model `offer`ed meanwhile takes over after that release (at
 * once when no batch runs), and the old one is destroyed then. So no batch ever sees two models,
 * and no model is destroyed under a batch.
 *
 * @module
 */

/** A model with a lifetime. */
export interface Swappable {
  readonly id: string;
  destroy(): void;
}

/** Holds the current model and the next one. */
export class ModelSlot<M extends Swappable> {
  #current: M;
  #next: M | null = null;
  #busy = false;
  #onSwap: (from: M, to: M) => void;

  /**
   * @param model The first model.
   * @param onSwap Called after each swap (e.g. to log it).
   * @example
   * ```ts
   * import { ModelSlot } from "./model_slot.ts";
   * const m = (id: string): { id: string; destroy(): void } => ({ id, destroy() {} });
   * const slot = new ModelSlot(m("a"));
   * const used = slot.acquire();
   * slot.offer(m("b"));
   * if (slot.current.id !== "a") throw new Error("not under a running batch");
   * slot.release();
   * if ([used.id, slot.current.id].join() !== "a,b") throw new Error();
   * ```
   */
  constructor(model: M, onSwap: (from: M, to: M) => void = () => {}) {
    this.#current = model;
    this.#onSwap = onSwap;
  }

  /** The model the next batch uses (a pending model is not current until it takes over). */
  get current(): M {
    return this.#current;
  }

  /** @returns The model for a batch; call `release()` when the batch is done. */
  acquire(): M {
    if (this.#busy) throw new Error("Cannot acquire the model as a batch already holds it");
    this.#busy = true;
    return this.#current;
  }

  /** Ends a batch; a model offered meanwhile takes over. */
  release(): void {
    this.#busy = false;
    this.#swap();
  }

  /**
   * Offers a newer model: it takes over at once when no batch runs, else after the batch.
   *
   * @param model The new model (a model offered earlier and not yet current is destroyed).
   */
  offer(model: M): void {
    this.#next?.destroy();
    this.#next = model;
    if (!this.#busy) this.#swap();
  }

  /** Destroys the models. */
  destroy(): void {
    this.#next?.destroy();
    this.#next = null;
    this.#current.destroy();
  }

  #swap(): void {
    const next = this.#next;
    if (!next) return;
    this.#next = null;
    const old = this.#current;
    this.#current = next;
    old.destroy();
    this.#onSwap(old, next);
  }
}
