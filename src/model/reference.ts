/**
 * The reward model's math in plain TypeScript (`types.ts`): forward of one pair and the full
 * backward to every parameter. Intermediates are float64; parameters may be float32 (the
 * backend) or float64 (finite-difference tests). The CPU backend and the batch helpers in
 * `reference_batch.ts` are built from these functions.
 *
 * @module
 */
import { activate, activateGrad } from "./math.ts";
import { poolBag, type Vec } from "./bag.ts";
import { featureWidth, type ModelConfig, type PairFeatures } from "./types.ts";

export type { Vec } from "./bag.ts";

/** Parameters (or gradients) with any float element type. */
export interface ParamsLike {
  embedding: Vec;
  w1: Vec;
  b1: Vec;
  w2: Vec;
  b2: Vec;
}

/** Scratch buffers for one pair's forward and backward; allocate once, reuse. */
export class Workspace {
  /** Pooled prompt, response a and response b, `[dim]` each. */
  p: Float64Array;
  qa: Float64Array;
  qb: Float64Array;
  /** Bag sizes `|P|`, `|A|`, `|B|` (0 for embedding input). */
  nP = 0;
  nA = 0;
  nB = 0;
  /** MLP inputs `[F]`, pre-activations and activations `[hidden]`, for a and b. */
  xa: Float64Array;
  xb: Float64Array;
  za: Float64Array;
  zb: Float64Array;
  ha: Float64Array;
  hb: Float64Array;
  /** Gradients with respect to the pooled vectors (outputs of `pairBackward`). */
  dp: Float64Array;
  dqa: Float64Array;
  dqb: Float64Array;
  dz: Float64Array;
  dx: Float64Array;

  /** @param cfg The model shape. */
  constructor(cfg: ModelConfig) {
    const d = cfg.dim, f = featureWidth(cfg), h = cfg.hidden;
    this.p = new Float64Array(d), this.qa = new Float64Array(d), this.qb = new Float64Array(d);
    this.xa = new Float64Array(f), this.xb = new Float64Array(f), this.dx = new Float64Array(f);
    this.za = new Float64Array(h), this.zb = new Float64Array(h), this.dz = new Float64Array(h);
    this.ha = new Float64Array(h), this.hb = new Float64Array(h);
    this.dp = new Float64Array(d), this.dqa = new Float64Array(d), this.dqb = new Float64Array(d);
  }
}

function loadInputs(
  params: ParamsLike,
  cfg: ModelConfig,
  f: PairFeatures,
  i: number,
  ws: Workspace,
) {
  const d = cfg.dim;
  if (cfg.input === "embedding") {
    ws.p.set(f.promptEmb!.subarray(i * d, i * d + d));
    ws.qa.set(f.aEmb!.subarray(i * d, i * d + d));
    ws.qb.set(f.bEmb!.subarray(i * d, i * d + d));
    ws.nP = ws.nA = ws.nB = 0;
    return;
  }
  const e = params.embedding, pl = cfg.pooling;
  ws.nP = poolBag(ws.p, e, d, f.promptIds, f.promptOffsets[i], f.promptOffsets[i + 1], pl);
  ws.nA = poolBag(ws.qa, e, d, f.aIds, f.aOffsets[i], f.aOffsets[i + 1], pl);
  ws.nB = poolBag(ws.qb, e, d, f.bIds, f.bOffsets[i], f.bOffsets[i + 1], pl);
}

/**
 * The reward of one response given the pooled prompt `p` and response `q`: builds
 * `x = [p, q, p * q, log1p(nP), log1p(nQ)]`, `z = W1 x + b1`, `h = act(z)`, returns `w2 . h + b2`.
 * `x`, `z` and `h` are kept for the backward pass.
 *
 * @param params The weights.
 * @param cfg The model shape.
 * @param p The pooled prompt `[dim]`.
 * @param q The pooled response `[dim]`.
 * @param nP The prompt's bag size (for the dense features).
 * @param nQ The response's bag size.
 * @param x Receives the MLP input `[F]`.
 * @param z Receives the pre-activations `[hidden]`.
 * @param h Receives the activations `[hidden]`.
 * @returns The reward.
 */
export function responseReward(
  params: ParamsLike,
  cfg: ModelConfig,
  p: Float64Array,
  q: Float64Array,
  nP: number,
  nQ: number,
  x: Float64Array,
  z: Float64Array,
  h: Float64Array,
): number {
  const d = cfg.dim, f = x.length, w1 = params.w1, act = cfg.activation;
  for (let k = 0; k < d; k++) x[k] = p[k], x[d + k] = q[k], x[2 * d + k] = p[k] * q[k];
  if (cfg.denseFeatures) x[3 * d] = Math.log1p(nP), x[3 * d + 1] = Math.log1p(nQ);
  let r = params.b2[0];
  for (let j = 0; j < cfg.hidden; j++) {
    const s = params.b1[j] + _dot(w1, j * f, x, f);
    z[j] = s;
    h[j] = activate(s, act);
    r += params.w2[j] * h[j];
  }
  return r;
}

/** `w[off, off + n) . x[0, n)` with four accumulators (a single chain is latency-bound). */
function _dot(w: Vec, off: number, x: Float64Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += w[off + k] * x[k];
    s1 += w[off + k + 1] * x[k + 1];
    s2 += w[off + k + 2] * x[k + 2];
    s3 += w[off + k + 3] * x[k + 3];
  }
  for (; k < n; k++) s0 += w[off + k] * x[k];
  return (s0 + s1) + (s2 + s3);
}

/**
 * Forward of pair `i`: pools its bags (or reads its embeddings) into `ws` and returns both rewards.
 *
 * @param params The weights.
 * @param cfg The model shape.
 * @param f The features.
 * @param i The pair index.
 * @param ws Scratch space; keeps what `pairBackward` needs.
 * @returns `[rA, rB]`.
 * @example
 * ```ts
 * import { pairForward, Workspace } from "./reference.ts";
 * import { zeroParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const cfg = { ...DEFAULT_MODEL, buckets: 4, dim: 2, hidden: 3 };
 * const params = zeroParams(cfg);
 * params.b2[0] = 0.5;
 * const o = new Uint32Array([0, 1]), ids = new Uint32Array([1]);
 * const f = { n: 1, promptOffsets: o, promptIds: ids, aOffsets: o, aIds: ids, bOffsets: o, bIds: ids };
 * const [ra, rb] = pairForward(params, cfg, f, 0, new Workspace(cfg));
 * if (ra !== 0.5 || rb !== 0.5) throw new Error();
 * ```
 */
export function pairForward(
  params: ParamsLike,
  cfg: ModelConfig,
  f: PairFeatures,
  i: number,
  ws: Workspace,
): [number, number] {
  loadInputs(params, cfg, f, i, ws);
  const ra = responseReward(params, cfg, ws.p, ws.qa, ws.nP, ws.nA, ws.xa, ws.za, ws.ha);
  const rb = responseReward(params, cfg, ws.p, ws.qb, ws.nP, ws.nB, ws.xb, ws.zb, ws.hb);
  return [ra, rb];
}

function responseBackward(
  params: ParamsLike,
  cfg: ModelConfig,
  dr: number,
  x: Float64Array,
  z: Float64Array,
  h: Float64Array,
  q: Float64Array,
  dq: Float64Array,
  grads: ParamsLike,
  ws: Workspace,
): void {
  const d = cfg.dim, f = x.length, w1 = params.w1, gw1 = grads.w1, dz = ws.dz, dx = ws.dx;
  grads.b2[0] += dr;
  for (let j = 0; j < cfg.hidden; j++) {
    grads.w2[j] += dr * h[j];
    dz[j] = dr * params.w2[j] * activateGrad(z[j], cfg.activation);
  }
  dx.fill(0);
  for (let j = 0; j < cfg.hidden; j++) {
    const g = dz[j];
    if (g === 0) continue;
    grads.b1[j] += g;
    const row = j * f;
    for (let k = 0; k < f; k++) {
      gw1[row + k] += g * x[k];
      dx[k] += w1[row + k] * g;
    }
  }
  const p = ws.p, dp = ws.dp;
  for (let k = 0; k < d; k++) {
    dp[k] += dx[k] + dx[2 * d + k] * q[k];
    dq[k] = dx[d + k] + dx[2 * d + k] * p[k];
  }
}

/**
 * Backward of the pair last run through `pairForward` with this workspace, given the loss
 * gradients `drA` and `drB` (already scaled, e.g. by `1 / batchSize`). Adds the dense gradients
 * to `grads` (W1, b1, w2, b2) and leaves the gradients with respect to the pooled vectors in
 * `ws.dp`, `ws.dqa`, `ws.dqb`; turn those into embedding-row gradients with `scatterBag`
 * (each id of a bag gets `dv * bagScale(n)`). `batchGradients` in `reference_batch.ts` shows
 * the whole step.
 *
 * @param params The weights.
 * @param cfg The model shape.
 * @param ws The workspace of the matching `pairForward`.
 * @param drA `d loss / d rA`.
 * @param drB `d loss / d rB`.
 * @param grads Dense gradients, added to (its `embedding` is not touched).
 */
export function pairBackward(
  params: ParamsLike,
  cfg: ModelConfig,
  ws: Workspace,
  drA: number,
  drB: number,
  grads: ParamsLike,
): void {
  ws.dp.fill(0);
  responseBackward(params, cfg, drA, ws.xa, ws.za, ws.ha, ws.qa, ws.dqa, grads, ws);
  responseBackward(params, cfg, drB, ws.xb, ws.zb, ws.hb, ws.qb, ws.dqb, grads, ws);
}
