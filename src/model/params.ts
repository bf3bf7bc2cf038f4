/**
 * Parameter and optimizer-state allocation for the reward model: sizes, zeros, a deterministic
 * seeded initialization, and copies.
 *
 * @module
 */
import type { Rng } from "../contracts/rng.ts";
import { featureWidth, type ModelConfig, type ModelParams, type OptimizerState } from "./types.ts";

/** The parameter groups, in checkpoint order. */
export const PARAM_GROUPS = ["embedding", "w1", "b1", "w2", "b2"] as const;

/** A parameter group's name. */
export type ParamGroup = typeof PARAM_GROUPS[number];

/**
 * The number of floats in each parameter group.
 *
 * @param cfg The model shape.
 * @returns Element counts per group (the embedding is empty for `input: "embedding"`).
 * @example
 * ```ts
 * import { paramSizes } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * if (paramSizes(DEFAULT_MODEL).w1 !== 128 * (3 * 64 + 2)) throw new Error();
 * ```
 */
export function paramSizes(cfg: ModelConfig): Record<ParamGroup, number> {
  return {
    embedding: cfg.input === "bag" ? cfg.buckets * cfg.dim : 0,
    w1: cfg.hidden * featureWidth(cfg),
    b1: cfg.hidden,
    w2: cfg.hidden,
    b2: 1,
  };
}

/**
 * All-zero parameters (also the shape of gradients and optimizer moments).
 *
 * @param cfg The model shape.
 * @returns Zeroed float32 arrays.
 * @example
 * ```ts
 * import { zeroParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * if (zeroParams({ ...DEFAULT_MODEL, input: "embedding" }).embedding.length !== 0) throw new Error();
 * ```
 */
export function zeroParams(cfg: ModelConfig): ModelParams {
  const s = paramSizes(cfg);
  return {
    embedding: new Float32Array(s.embedding),
    w1: new Float32Array(s.w1),
    b1: new Float32Array(s.b1),
    w2: new Float32Array(s.w2),
    b2: new Float32Array(s.b2),
  };
}

/**
 * Fresh optimizer state: zero moments, step 0.
 *
 * @param cfg The model shape.
 * @returns The state.
 * @example
 * ```ts
 * import { zeroOptimizer } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const o = zeroOptimizer({ ...DEFAULT_MODEL, buckets: 8 });
 * if (o.step !== 0 || o.m.w1.some((x) => x !== 0)) throw new Error();
 * ```
 */
export function zeroOptimizer(cfg: ModelConfig): OptimizerState {
  return { step: 0, m: zeroParams(cfg), v: zeroParams(cfg) };
}

/**
 * Initial weights, deterministic for a given generator state: embedding ~ N(0, initScale^2),
 * W1 Xavier-uniform `U(-sqrt(6 / (F + hidden)), +)`, w2 Xavier-uniform
 * `U(-sqrt(6 / (hidden + 1)), +)`, biases 0. Each group draws from its own fork of `rng`, so
 * the MLP's initial weights do not depend on `buckets`.
 *
 * @param cfg The model shape.
 * @param rng The generator (advanced by three draws).
 * @returns The parameters.
 * @example
 * ```ts
 * import { initParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * import { Rng } from "../contracts/rng.ts";
 * const cfg = { ...DEFAULT_MODEL, buckets: 64 };
 * if (initParams(cfg, new Rng(1)).w1[5] !== initParams(cfg, new Rng(1)).w1[5]) throw new Error();
 * ```
 */
export function initParams(cfg: ModelConfig, rng: Rng): ModelParams {
  const p = zeroParams(cfg);
  const e = rng.fork("embedding"), r1 = rng.fork("w1"), r2 = rng.fork("w2");
  const emb = p.embedding;
  for (let i = 0; i < emb.length; i += 2) {
    // Box-Muller, both outputs used.
    const rad = cfg.initScale * Math.sqrt(-2 * Math.log(1 - e.next()));
    const ang = 2 * Math.PI * e.next();
    emb[i] = rad * Math.cos(ang);
    if (i + 1 < emb.length) emb[i + 1] = rad * Math.sin(ang);
  }
  const a1 = Math.sqrt(6 / (featureWidth(cfg) + cfg.hidden));
  for (let i = 0; i < p.w1.length; i++) p.w1[i] = (2 * r1.next() - 1) * a1;
  const a2 = Math.sqrt(6 / (cfg.hidden + 1));
  for (let i = 0; i < p.w2.length; i++) p.w2[i] = (2 * r2.next() - 1) * a2;
  return p;
}

/**
 * A deep copy of parameters (or of moments).
 *
 * @param p The parameters.
 * @returns New arrays with the same values.
 * @example
 * ```ts
 * import { cloneParams, zeroParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const p = zeroParams({ ...DEFAULT_MODEL, buckets: 8 });
 * const q = cloneParams(p);
 * q.b2[0] = 1;
 * if (p.b2[0] !== 0) throw new Error("the copy shares memory");
 * ```
 */
export function cloneParams(p: ModelParams): ModelParams {
  return {
    embedding: p.embedding.slice(),
    w1: p.w1.slice(),
    b1: p.b1.slice(),
    w2: p.w2.slice(),
    b2: p.b2.slice(),
  };
}

/**
 * Checks that `p` has the sizes `cfg` needs.
 *
 * @param p The parameters.
 * @param cfg The model shape.
 * @param what What the parameters are, for the message (e.g. "parameters", "Adam moment m").
 * @throws {RangeError} Naming the first group whose size differs.
 * @example
 * ```ts
 * import { checkParamSizes, zeroParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const small = { ...DEFAULT_MODEL, buckets: 8 };
 * checkParamSizes(zeroParams(small), small); // fine
 * let msg = "";
 * try { checkParamSizes(zeroParams(small), { ...small, dim: 4 }); } catch (e) { msg = String(e); }
 * if (!msg.includes("'embedding' has 512 values but the model needs 32")) throw new Error(msg);
 * ```
 */
export function checkParamSizes(p: ModelParams, cfg: ModelConfig, what = "parameters"): void {
  const s = paramSizes(cfg);
  for (const g of PARAM_GROUPS) {
    if (p[g]?.length !== s[g]) {
      throw new RangeError(
        `Cannot use ${what} as '${g}' has ${p[g]?.length} values but the model needs ${s[g]}: ` +
          `check that buckets, dim, hidden, denseFeatures and input match`,
      );
    }
  }
}
