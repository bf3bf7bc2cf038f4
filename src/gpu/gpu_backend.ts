/**
 * The reward model on WebGPU: features uploaded once, weights and AdamW state resident on the
 * device, a whole epoch recorded into one command submission per segment (normally one) with a
 * single 8-byte readback of loss and accuracy, and scoring in large chunks with one readback.
 * Matches the TypeScript reference (`src/model/cpu_backend.ts`) within float32 tolerance, and is
 * bit-for-bit deterministic on a given device (no atomics, fixed summation orders).
 *
 * @module
 */
import { checkFeatures } from "../model/check_features.ts";
import { initParams } from "../model/params.ts";
import type {
  EpochResult,
  ModelConfig,
  ModelParams,
  OptimizerState,
  PairFeatures,
  RewardBackend,
  Scores,
  TrainOptions,
  TrainSet,
} from "../model/types.ts";
import type { Logger } from "../contracts/types.ts";
import { Rng } from "../contracts/rng.ts";
import type { CallCost } from "./cost.ts";
import { type GpuContext, openGpu } from "./device.ts";
import { GpuFeatures } from "./gpu_features.ts";
import { UniformArena } from "./kernel.ts";
import { type Kernels, loadKernels } from "./kernels.ts";
import { ModelState } from "./model_state.ts";
import { checkTrainSet } from "../model/check_train_set.ts";
import { addScoreCost, recordScore, scoreOnGpu } from "./score_recorder.ts";
import { StateSnapshot } from "./state_snapshot.ts";
import { openPlanner, type SegmentSource } from "./plan_ahead.ts";
import { batchSource, GPU_LIST_STEPS } from "./batch_plan.ts";
import { GpuRowLists } from "./row_lists.ts";
import type { SegmentTiming } from "./timeline.ts";
import { type AfterEpoch, trainEpochOnGpu } from "./train_epoch.ts";
import type { RecordContext } from "./train_recorder.ts";
import { Workspace } from "./workspace.ts";

/** Options of `GpuBackend.create`. */
export interface GpuBackendOptions {
  /** A device to share (not destroyed by the backend); by default the backend opens its own. */
  gpu?: GpuContext;
  log?: Logger;
  /** Caps storage bindings when the backend opens its own device (forces table splits; tests). */
  maxStorageBindingBytes?: number;
  /** Pairs per scoring chunk (default 8192; lowered to fit the binding size). */
  scoreChunk?: number;
  /**
   * Where each training step's touched-row lists are built: `"gpu"` (default; a radix sort and
   * segmentation on the device, so a step uploads only its pair indices and targets) or
   * `"host"` (the planner of `plan_ahead.ts`, in Workers ahead of the submissions; the lists
   * are uploaded). Both give bit-identical training.
   */
  rowLists?: "gpu" | "host";
  /**
   * With `rowLists: "host"`: workers that plan epochs ahead of the submissions (default
   * `defaultPlanWorkers()`); 0 plans in the calling thread, on the critical path.
   */
  planWorkers?: number;
  /**
   * Most steps per submitted segment (default `GPU_LIST_STEPS` with `rowLists: "gpu"`,
   * `STEPS_PER_SEGMENT` with `"host"`).
   */
  stepsPerSegment?: number;
  /** Open the backend's own device with GPU timestamps when the adapter has them (for `trace`). */
  timestamps?: boolean;
}

/** The WebGPU reward-model backend. */
export class GpuBackend implements RewardBackend {
  readonly kind = "webgpu" as const;
  readonly deviceName: string;
  readonly config: ModelConfig;
  /** Work of the last `trainEpoch` or `score` call (kernel bytes/flops, dispatches, traffic). */
  lastCost: CallCost | null = null;
  /** Per-segment host times of the last `trainEpoch` (device times too when `trace` is set). */
  lastTimeline: SegmentTiming[] = [];
  /**
   * Time each training segment on the device too (needs a device with `timestamp-query`, e.g.
   * `create(cfg, { timestamps: true })`; the times come back with the epoch's one readback).
   */
  trace = false;
  readonly #gpu: GpuContext;
  readonly #ownsGpu: boolean;
  readonly #kernels: Kernels;
  readonly #state: ModelState;
  readonly #snapshot: StateSnapshot;
  readonly #ws: Workspace;
  readonly #arena: UniformArena;
  readonly #scoreChunk: number;
  readonly #planning: { workers?: number; stepsPerSegment?: number; rowLists: "gpu" | "host" };
  readonly #lists?: GpuRowLists;
  #features?: { host: PairFeatures; gpu: GpuFeatures; planner: SegmentSource };
  #hasParams = false;
  #destroyed = false;
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(
    gpu: GpuContext,
    owns: boolean,
    cfg: ModelConfig,
    k: Kernels,
    scoreChunk: number,
    planning: { workers?: number; stepsPerSegment?: number; rowLists: "gpu" | "host" },
  ) {
    this.#gpu = gpu;
    this.#ownsGpu = owns;
    this.config = { ...cfg };
    this.deviceName = gpu.adapterName;
    this.#kernels = k;
    this.#state = new ModelState(gpu, this.config);
    this.#snapshot = new StateSnapshot(gpu, this.#state);
    this.#ws = new Workspace(gpu, this.config);
    this.#arena = new UniformArena(gpu);
    this.#scoreChunk = scoreChunk;
    this.#planning = planning;
    if (cfg.input === "bag" && planning.rowLists === "gpu") {
      const table = this.#state.table!;
      this.#lists = new GpuRowLists(
        gpu,
        this.config,
        table.buffers.length,
        table.plan.rowsPerChunk,
      );
    }
  }

  /**
   * Opens (or shares) a device and compiles the kernels. The weights are
   * `initParams(cfg, new Rng(0))`, as in the CPU backend, until `setParams` sets them.
   *
   * @param cfg The model shape.
   * @param opts Device sharing, logging and limits.
   * @returns The backend; call `destroy()` when done.
   * @throws Error saying how to get an adapter when there is none.
   * @example
   * ```ts
   * import { GpuBackend } from "./gpu_backend.ts";
   * import { hasWebGpu } from "../compute/open_backend.ts";
   * import { DEFAULT_MODEL } from "../model/types.ts";
   * if (await hasWebGpu()) {
   *   const b = await GpuBackend.create({ ...DEFAULT_MODEL, buckets: 16, dim: 4, hidden: 8 });
   *   const o = new Uint32Array([0, 1]), ids = new Uint32Array([3]);
   *   await b.load({ n: 1, promptOffsets: o, promptIds: ids, aOffsets: o, aIds: ids, bOffsets: o, bIds: ids });
   *   const s = await b.score(new Uint32Array([0]));
   *   if (s.rewardA[0] !== s.rewardB[0]) throw new Error("same bags, same reward");
   *   b.destroy();
   * }
   * ```
   */
  static async create(cfg: ModelConfig, opts: GpuBackendOptions = {}): Promise<GpuBackend> {
    const gpu = opts.gpu ??
      await openGpu({
        log: opts.log,
        maxStorageBindingBytes: opts.maxStorageBindingBytes,
        timestamps: opts.timestamps,
      });
    try {
      const kernels = await loadKernels(gpu, cfg);
      return new GpuBackend(gpu, !opts.gpu, cfg, kernels, opts.scoreChunk ?? 8192, {
        workers: opts.planWorkers,
        stepsPerSegment: opts.stepsPerSegment,
        rowLists: opts.rowLists ?? "gpu",
      });
    } catch (e) {
      if (!opts.gpu) gpu.destroy();
      throw e;
    }
  }

  /** Checks and uploads `features` (kept by reference for epoch planning: do not modify them). */
  load(features: PairFeatures): Promise<void> {
    return this.#serial(() => {
      checkFeatures(features, this.config);
      this.#dropFeatures();
      const gpu = new GpuFeatures(this.#gpu, features, this.config);
      const maxEntries = Math.floor(this.#gpu.maxBindingBytes / 4);
      const planner: SegmentSource = this.#planning.rowLists === "gpu"
        ? batchSource(
          features,
          this.config.input === "bag",
          maxEntries,
          this.config.dim,
          this.#planning.stepsPerSegment ?? GPU_LIST_STEPS,
        )
        : openPlanner(features, {
          cfg: this.config,
          rowsPerChunk: this.#state.plan.rowsPerChunk,
          maxEntries,
          stepsPerSegment: this.#planning.stepsPerSegment,
        }, this.#planning.workers);
      this.#features = { host: features, gpu, planner };
    });
  }

  /** Uploads weights and optimizer state (fresh zero moments, step 0, when omitted). */
  setParams(params: ModelParams, optimizer?: OptimizerState): Promise<void> {
    return this.#serial(() => {
      this.#state.write(params, optimizer);
      this.#hasParams = true;
    });
  }

  /** Reads weights and optimizer state back (one readback). */
  getParams(): Promise<{ params: ModelParams; optimizer: OptimizerState }> {
    return this.#serial(() => {
      this.#ensureParams();
      return this.#state.read();
    });
  }

  /** Copies the weights and AdamW state to a device-side snapshot (no readback). */
  snapshot(): Promise<void> {
    return this.#serial(() => {
      this.#ensureParams();
      return this.#gpu.validated("copy the weights to a snapshot", () => this.#snapshot.take());
    });
  }

  /** Copies the last snapshot back into the weights and AdamW state. */
  restore(): Promise<void> {
    return this.#serial(() =>
      this.#gpu.validated("restore the weights from a snapshot", () => this.#snapshot.restore())
    );
  }

  /**
   * One epoch: consecutive chunks of `order` of `opts.batchSize`, one AdamW step each; the
   * rewards of `scoreAfter` come back in the same readback as the epoch's loss totals (when they
   * fit one storage binding; else with a second one).
   */
  trainEpoch(
    set: TrainSet,
    order: Uint32Array,
    opts: TrainOptions,
    scoreAfter?: Uint32Array,
  ): Promise<EpochResult> {
    return this.#serial(async () => {
      const f = this.#loaded("train");
      checkTrainSet(set, order, f.host.n, opts.batchSize);
      if (scoreAfter) this.#checkIndices(scoreAfter, f.host.n);
      this.#ensureParams();
      const ctx = this.#context(f.gpu);
      const chunk = this.#ws.maxChunkPairs(this.#scoreChunk);
      let scores: Scores | undefined;
      const n = scoreAfter?.length ?? 0;
      const fused = scoreAfter && n > 0 && 8 * n <= this.#gpu.maxBindingBytes;
      const after: AfterEpoch | undefined = fused
        ? {
          record: (encoder) => {
            const { rewards } = recordScore(ctx, scoreAfter, chunk, encoder);
            return [{ buffer: rewards, offset: 0, bytes: 8 * n }];
          },
          take: ([r]) => {
            scores = { rewardA: new Float32Array(n), rewardB: new Float32Array(n) };
            for (let i = 0; i < n; i++) {
              scores.rewardA[i] = r[2 * i];
              scores.rewardB[i] = r[2 * i + 1];
            }
          },
        }
        : undefined;
      const run = await trainEpochOnGpu(
        ctx,
        f.planner,
        set,
        order,
        opts,
        this.#state.step,
        after,
        this.trace,
      );
      this.#state.step += run.steps;
      this.lastCost = run.cost;
      this.lastTimeline = run.timeline;
      if (fused) addScoreCost(run.cost, ctx, f.host, scoreAfter, chunk);
      if (scoreAfter && !fused) {
        const s = await scoreOnGpu(ctx, f.host, scoreAfter, chunk);
        scores = s.scores;
        for (const k of ["submissions", "readbacks", "uploadBytes", "readbackBytes"] as const) {
          run.cost[k] += s.cost[k];
        }
      }
      return scores ? { ...run.stats, scores } : run.stats;
    });
  }

  /** Rewards of the pairs at `indices` (one readback per call for up to maxBinding / 8 pairs). */
  score(indices: Uint32Array): Promise<Scores> {
    return this.#serial(async () => {
      const f = this.#loaded("score");
      this.#checkIndices(indices, f.host.n);
      this.#ensureParams();
      const chunk = this.#ws.maxChunkPairs(this.#scoreChunk);
      const { scores, cost } = await scoreOnGpu(this.#context(f.gpu), f.host, indices, chunk);
      this.lastCost = cost;
      return scores;
    });
  }

  /** Frees device memory, and destroys the device if the backend opened it. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#dropFeatures();
    this.#state.destroy();
    this.#snapshot.destroy();
    this.#ws.destroy();
    this.#arena.destroy();
    this.#lists?.destroy();
    if (this.#ownsGpu) this.#gpu.destroy();
  }

  #checkIndices(indices: Uint32Array, n: number): void {
    for (let t = 0; t < indices.length; t++) {
      if (indices[t] >= n) {
        throw new RangeError(`Cannot score pair ${indices[t]} as only ${n} pairs are loaded`);
      }
    }
  }

  #dropFeatures(): void {
    this.#features?.gpu.destroy();
    this.#features?.planner.destroy();
    this.#features = undefined;
  }

  #context(features: GpuFeatures): RecordContext {
    return {
      gpu: this.#gpu,
      cfg: this.config,
      kernels: this.#kernels,
      state: this.#state,
      ws: this.#ws,
      features,
      arena: this.#arena,
      lists: this.#lists,
    };
  }

  #ensureParams(): void {
    if (this.#hasParams) return;
    this.#state.write(initParams(this.config, new Rng(0)));
    this.#hasParams = true;
  }

  #loaded(what: string): { host: PairFeatures; gpu: GpuFeatures; planner: SegmentSource } {
    if (!this.#features) {
      throw new Error(`Cannot ${what} as no features are loaded: call load(features) first`);
    }
    return this.#features;
  }

  /** Runs calls one at a time (they share scratch buffers), each failing on its own. */
  #serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.#tail.then(() => {
      if (this.#destroyed) {
        throw new Error("Cannot use the WebGPU backend as it was destroyed: create a new one");
      }
      this.#gpu.assertAlive();
      return fn();
    });
    this.#tail = run.catch(() => {});
    return run;
  }
}
