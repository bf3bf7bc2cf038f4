/**
 * The TypeScript reward-model backend: the reference math (`reference.ts`) with a sparse
 * embedding gradient and lazy AdamW on the rows each mini-batch touches. The fallback when there
 * is no WebGPU adapter, and the reference the GPU backend is tested against.
 *
 * @module
 */
import { adamwDense, adamwRows } from "./adamw.ts";
import { checkFeatures } from "./check_features.ts";
import { checkTrainSet } from "./check_train_set.ts";
import { pairLoss, pairLossGrad } from "./math.ts";
import { checkParamSizes, cloneParams, initParams, zeroOptimizer } from "./params.ts";
import { pairBackward, pairForward, type ParamsLike, Workspace } from "./reference.ts";
import { SparseRows } from "./sparse_rows.ts";
import type {
  EpochResult,
  EpochStats,
  ModelConfig,
  ModelParams,
  OptimizerState,
  PairFeatures,
  RewardBackend,
  Scores,
  TrainOptions,
  TrainSet,
} from "./types.ts";
import { Rng } from "../contracts/rng.ts";

/** The reference backend on the CPU (single-threaded, deterministic). */
export class CpuBackend implements RewardBackend {
  readonly kind = "cpu" as const;
  readonly deviceName = "TypeScript reference (CPU)";
  readonly config: ModelConfig;
  #state?: { params: ModelParams; opt: OptimizerState | null };
  #snapshot?: { params: ModelParams; opt: OptimizerState };
  #features?: PairFeatures;
  #ws: Workspace;
  #sparse?: SparseRows;

  private constructor(cfg: ModelConfig) {
    this.config = { ...cfg };
    this.#ws = new Workspace(cfg);
  }

  /**
   * Creates a backend. Its weights are `initParams(cfg, new Rng(0))` (made on first use) until
   * `setParams` sets them.
   *
   * @param cfg The model shape.
   * @returns The backend.
   * @example
   * ```ts
   * import { CpuBackend } from "./cpu_backend.ts";
   * import { DEFAULT_MODEL } from "./types.ts";
   * const b = CpuBackend.create({ ...DEFAULT_MODEL, buckets: 16, dim: 4, hidden: 8 });
   * const o = new Uint32Array([0, 1]), ids = new Uint32Array([3]);
   * await b.load({ n: 1, promptOffsets: o, promptIds: ids, aOffsets: o, aIds: ids, bOffsets: o, bIds: ids });
   * const s = await b.score(new Uint32Array([0]));
   * if (s.rewardA[0] !== s.rewardB[0]) throw new Error("same bags, same reward");
   * b.destroy();
   * ```
   */
  static create(cfg: ModelConfig): CpuBackend {
    return new CpuBackend(cfg);
  }

  /** Keeps `features` (by reference: do not modify them while loaded) after validating them. */
  load(features: PairFeatures): Promise<void> {
    return _settle(() => {
      checkFeatures(features, this.config);
      this.#features = features;
    });
  }

  /** Copies in the weights and the optimizer state (fresh when omitted). */
  setParams(params: ModelParams, optimizer?: OptimizerState): Promise<void> {
    return _settle(() => {
      checkParamSizes(params, this.config);
      if (optimizer) {
        checkParamSizes(optimizer.m, this.config, "Adam moment m");
        checkParamSizes(optimizer.v, this.config, "Adam moment v");
      }
      this.#state = {
        params: cloneParams(params),
        opt: optimizer
          ? { step: optimizer.step, m: cloneParams(optimizer.m), v: cloneParams(optimizer.v) }
          : null, // zero moments, made when training starts
      };
    });
  }

  /** Copies of the weights and optimizer state. */
  getParams(): Promise<{ params: ModelParams; optimizer: OptimizerState }> {
    return _settle(() => {
      const { params } = this.#current(), o = this.#optimizer();
      return ({
        params: cloneParams(params),
        optimizer: { step: o.step, m: cloneParams(o.m), v: cloneParams(o.v) },
      });
    });
  }

  /** Copies the weights and optimizer state aside (see `restore`). */
  snapshot(): Promise<void> {
    return _settle(() => {
      const { params } = this.#current(), o = this.#optimizer();
      this.#snapshot = {
        params: cloneParams(params),
        opt: { step: o.step, m: cloneParams(o.m), v: cloneParams(o.v) },
      };
    });
  }

  /** Sets the weights and optimizer state back to the last snapshot. */
  restore(): Promise<void> {
    return _settle(() => {
      const s = this.#snapshot;
      if (!s) throw new Error("Cannot restore the weights as no snapshot() was taken");
      this.#state = {
        params: cloneParams(s.params),
        opt: { step: s.opt.step, m: cloneParams(s.opt.m), v: cloneParams(s.opt.v) },
      };
    });
  }

  /**
   * One epoch: consecutive chunks of `order` of `opts.batchSize`, one AdamW step each; then the
   * rewards of `scoreAfter`, when given.
   */
  async trainEpoch(
    set: TrainSet,
    order: Uint32Array,
    opts: TrainOptions,
    scoreAfter?: Uint32Array,
  ): Promise<EpochResult> {
    const stats = await this.#trainEpoch(set, order, opts);
    return scoreAfter ? { ...stats, scores: await this.score(scoreAfter) } : stats;
  }

  #trainEpoch(set: TrainSet, order: Uint32Array, opts: TrainOptions): Promise<EpochStats> {
    return _settle(() => {
      const f = this.#loaded("train");
      checkTrainSet(set, order, f.n, opts.batchSize);
      const cfg = this.config, ws = this.#ws, bag = cfg.input === "bag";
      const p = this.#current().params, opt = this.#optimizer();
      const grads: ParamsLike = {
        embedding: new Float64Array(0), // embedding rows go through `SparseRows`
        w1: new Float64Array(p.w1.length),
        b1: new Float64Array(p.b1.length),
        w2: new Float64Array(p.w2.length),
        b2: new Float64Array(1),
      };
      const sparse = bag ? (this.#sparse ??= new SparseRows(cfg.buckets, cfg.dim)) : undefined;
      let lossSum = 0, right = 0;
      for (let start = 0; start < order.length; start += opts.batchSize) {
        const end = Math.min(order.length, start + opts.batchSize), scale = 1 / (end - start);
        for (const g of [grads.w1, grads.b1, grads.w2, grads.b2]) g.fill(0);
        for (let t = start; t < end; t++) {
          const pos = order[t], i = set.indices[pos], y = set.labels[pos], w = set.weights[pos];
          const [ra, rb] = pairForward(p, cfg, f, i, ws);
          lossSum += pairLoss(ra, rb, y, w, opts.margin);
          if (y * (ra - rb) > 0) right++;
          const dra = pairLossGrad(ra, rb, y, w, opts.margin) * scale;
          pairBackward(p, cfg, ws, dra, -dra, grads);
          if (sparse) {
            const po = f.promptOffsets, ao = f.aOffsets, bo = f.bOffsets, pl = cfg.pooling;
            sparse.touch(f.promptIds, po[i], po[i + 1]);
            sparse.touch(f.aIds, ao[i], ao[i + 1]);
            sparse.touch(f.bIds, bo[i], bo[i + 1]);
            sparse.scatter(f.promptIds, po[i], po[i + 1], pl, ws.dp);
            sparse.scatter(f.aIds, ao[i], ao[i + 1], pl, ws.dqa);
            sparse.scatter(f.bIds, bo[i], bo[i + 1], pl, ws.dqb);
          }
        }
        const step = ++opt.step, m = opt.m, v = opt.v;
        adamwDense(p.w1, grads.w1, m.w1, v.w1, step, opts, true);
        adamwDense(p.b1, grads.b1, m.b1, v.b1, step, opts, false);
        adamwDense(p.w2, grads.w2, m.w2, v.w2, step, opts, true);
        adamwDense(p.b2, grads.b2, m.b2, v.b2, step, opts, false);
        if (sparse) {
          const { rows, count, grad } = sparse;
          adamwRows(p.embedding, m.embedding, v.embedding, cfg.dim, rows, count, grad, step, opts);
          sparse.clear();
        }
      }
      const n = Math.max(order.length, 1);
      return ({ loss: lossSum / n, accuracy: right / n });
    });
  }

  /** Rewards of the pairs at `indices` (float32, rounded from float64 math). */
  score(indices: Uint32Array): Promise<Scores> {
    return _settle(() => {
      const f = this.#loaded("score");
      const { params } = this.#current();
      const rewardA = new Float32Array(indices.length), rewardB = new Float32Array(indices.length);
      for (let t = 0; t < indices.length; t++) {
        if (indices[t] >= f.n) {
          throw new RangeError(`Cannot score pair ${indices[t]} as only ${f.n} pairs are loaded`);
        }
        const [ra, rb] = pairForward(params, this.config, f, indices[t], this.#ws);
        rewardA[t] = ra;
        rewardB[t] = rb;
      }
      return ({ rewardA, rewardB });
    });
  }

  /** Drops the loaded features and scratch memory. */
  destroy(): void {
    this.#features = undefined;
    this.#sparse = undefined;
  }

  #current(): { params: ModelParams; opt: OptimizerState | null } {
    return this.#state ??= { params: initParams(this.config, new Rng(0)), opt: null };
  }

  #optimizer(): OptimizerState {
    const s = this.#current();
    return s.opt ??= zeroOptimizer(this.config);
  }

  #loaded(what: string): PairFeatures {
    if (!this.#features) {
      throw new Error(`Cannot ${what} as no features are loaded: call load(features) first`);
    }
    return this.#features;
  }
}

/** Runs `fn` and turns its result or exception into a settled promise (errors become rejections). */
function _settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}
