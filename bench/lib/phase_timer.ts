/**
 * Phase timings of the real SER loop without changing it: the loop announces its phases through
 * `onPhase` ("scoring ...", "training on ...", "evaluating"), and a wrapped backend and store
 * time the calls made inside each phase. Per iteration this gives score, select (the rest of the
 * scoring phase), train (epochs and the weight resets), evaluate (validation scoring for early
 * stopping, validation and test metrics), parameter readback (best-epoch snapshots and the
 * checkpoint's copy) and pool write (the store's commit).
 *
 * @module
 */
import type { RewardBackend } from "../../src/model/types.ts";
import type { IterationCommit, Restored, SerStore } from "../../src/ser/store.ts";
import type { RunMetrics } from "../../src/report/metrics.ts";

/** Seconds per phase of one iteration. */
export interface IterationTimes {
  iteration: number;
  /** Unlabelled pairs scored (0 in iteration 0). */
  scored: number;
  score_s: number;
  select_s: number;
  train_s: number;
  evaluate_s: number;
  params_readback_s: number;
  pool_write_s: number;
  /** Wall time of the iteration, from its first phase to the next iteration's first. */
  wall_s: number;
  /** Epochs run and examples trained on (summed over epochs). */
  epochs: number;
  trained_examples: number;
}

type Bucket = "score" | "train" | "evaluate" | "readback" | "write";

/** Collects the timings; hand `onPhase`, `backend()` and `store()` to the loop. */
export class PhaseTimer {
  readonly iterations: IterationTimes[] = [];
  #phase = "";
  #phaseStart = 0;
  #iterStart = 0;
  #cur: IterationTimes | null = null;
  #inCall: Record<Bucket, number> = { score: 0, train: 0, evaluate: 0, readback: 0, write: 0 };

  /**
   * The loop's `onPhase` callback.
   *
   * @param iteration The iteration the phase belongs to.
   * @param phase The loop's phase text.
   */
  onPhase = (iteration: number, phase: string): void => {
    const now = performance.now();
    this.#closePhase(now);
    if (!this.#cur || this.#cur.iteration !== iteration) {
      this.#closeIteration(now);
      const m = /^scoring (\d+)/.exec(phase);
      this.#cur = {
        iteration,
        scored: m ? Number(m[1]) : 0,
        score_s: 0,
        select_s: 0,
        train_s: 0,
        evaluate_s: 0,
        params_readback_s: 0,
        pool_write_s: 0,
        wall_s: 0,
        epochs: 0,
        trained_examples: 0,
      };
      this.#iterStart = now;
    }
    this.#phase = phase;
    this.#phaseStart = now;
  };

  /** Ends the last iteration (call when the loop completes). */
  finish(): IterationTimes[] {
    const now = performance.now();
    this.#closePhase(now);
    this.#closeIteration(now);
    return this.iterations;
  }

  #closePhase(now: number): void {
    const c = this.#cur;
    if (!c || !this.#phase) return;
    const wall = (now - this.#phaseStart) / 1e3;
    const spent = this.#inCall;
    c.pool_write_s += spent.write;
    c.params_readback_s += spent.readback;
    const rest = Math.max(0, wall - spent.write - spent.readback);
    if (this.#phase.startsWith("scoring")) {
      c.score_s += spent.score;
      c.select_s += Math.max(0, rest - spent.score);
    } else if (this.#phase.startsWith("training")) {
      // Early stopping scores the validation pairs after each epoch: that is evaluation.
      c.train_s += Math.max(0, rest - spent.evaluate - spent.score);
      c.evaluate_s += spent.evaluate + spent.score;
    } else {
      c.evaluate_s += spent.evaluate + spent.score;
    }
    this.#inCall = { score: 0, train: 0, evaluate: 0, readback: 0, write: 0 };
    this.#phase = "";
  }

  #closeIteration(now: number): void {
    if (!this.#cur) return;
    this.#cur.wall_s = (now - this.#iterStart) / 1e3;
    this.iterations.push(this.#cur);
    this.#cur = null;
  }

  async #time<T>(bucket: Bucket, f: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      this.#inCall[bucket] += (performance.now() - t0) / 1e3;
    }
  }

  /**
   * Wraps a backend so that its calls are timed.
   *
   * @param b The backend.
   * @returns A backend with the same behaviour.
   */
  backend(b: RewardBackend): RewardBackend {
    return {
      kind: b.kind,
      deviceName: b.deviceName,
      config: b.config,
      load: (f) => b.load(f),
      setParams: (p, o) => this.#time("train", () => b.setParams(p, o)),
      getParams: () => this.#time("readback", () => b.getParams()),
      snapshot: () => this.#time("train", () => b.snapshot()),
      restore: () => this.#time("train", () => b.restore()),
      trainEpoch: (s, o, t, after) => {
        if (this.#cur) {
          this.#cur.epochs++;
          this.#cur.trained_examples += o.length;
        }
        return this.#time("train", () => b.trainEpoch(s, o, t, after));
      },
      score: (i) =>
        this.#time(this.#phase.startsWith("scoring") ? "score" : "evaluate", () => b.score(i)),
      destroy: () => b.destroy(),
    };
  }

  /**
   * Wraps a store so that commits count as pool writes.
   *
   * @param s The store.
   * @returns A store with the same behaviour.
   */
  store(s: SerStore): SerStore {
    return {
      restore: (): Promise<Restored | null> => s.restore(),
      commit: (c: IterationCommit) => this.#time("write", () => s.commit(c)),
      finish: (m: RunMetrics) => this.#time("write", () => s.finish(m)),
    };
  }
}
