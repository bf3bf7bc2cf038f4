/**
 * A device-side copy of the model's weights and AdamW state, for early stopping: `take` copies
 * every state buffer into a twin buffer and `restore` copies it back, each one command
 * submission of buffer copies with nothing read back (the best epoch costs device memory, the
 * size of the state, instead of a readback of it).
 *
 * @module
 */
import { storageBuffer } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import type { ModelState } from "./model_state.ts";

/** Holds one snapshot of a `ModelState`. */
export class StateSnapshot {
  readonly #gpu: GpuContext;
  readonly #state: ModelState;
  #twins: GPUBuffer[] | null = null;
  #step = 0;

  /**
   * @param gpu The device.
   * @param state The state to copy (its buffers never change after construction).
   */
  constructor(gpu: GpuContext, state: ModelState) {
    this.#gpu = gpu;
    this.#state = state;
  }

  /** True once `take()` ran. */
  get taken(): boolean {
    return this.#twins !== null;
  }

  /** Buffers of the state, in a fixed order (the twins follow the same order). */
  #sources(): GPUBuffer[] {
    const s = this.#state;
    const out = [s.theta, s.m, s.v];
    for (const t of [s.table, s.tableM, s.tableV]) if (t) out.push(...t.buffers);
    return out;
  }

  /** Copies the current state (submitted now, ordered before later work). */
  take(): void {
    const src = this.#sources();
    this.#twins ??= src.map((b, i) => storageBuffer(this.#gpu, `snapshot ${i}`, b.size));
    this.#copy(src, this.#twins);
    this.#step = this.#state.step;
  }

  /**
   * Copies the snapshot back into the state.
   *
   * @throws Error when no snapshot was taken.
   */
  restore(): void {
    if (!this.#twins) {
      throw new Error("Cannot restore the weights as no snapshot() was taken");
    }
    this.#copy(this.#twins, this.#sources());
    this.#state.step = this.#step;
  }

  #copy(from: GPUBuffer[], to: GPUBuffer[]): void {
    const enc = this.#gpu.device.createCommandEncoder({ label: "state snapshot" });
    from.forEach((b, i) => enc.copyBufferToBuffer(b, 0, to[i], 0, b.size));
    this.#gpu.device.queue.submit([enc.finish()]);
  }

  /** Frees the twins. */
  destroy(): void {
    for (const b of this.#twins ?? []) b.destroy();
    this.#twins = null;
  }
}
