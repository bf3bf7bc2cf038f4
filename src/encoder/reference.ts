/**
 * The TypeScript reference of the encoder's forward pass: the oracle of the WGSL kernels and the
 * CPU path of the `embed` stage. BERT post-LayerNorm: embeddings (word + position + token type 0)
 * -> LayerNorm, then per layer self-attention -> dense -> LayerNorm(+ residual) -> dense + GELU ->
 * dense -> LayerNorm(+ residual); then mean or `[CLS]` pooling and optional L2 normalisation.
 * Values are stored as f32 and accumulated in f64.
 *
 * @module
 */
import type { EncoderConfig } from "./config.ts";
import { gelu } from "./math.ts";
import type { Tensor } from "./safetensors.ts";
import type { EncoderWeights } from "./weights.ts";

/** How token states become one vector. */
export type Pooling = "mean" | "cls";

/** Pooling options. */
export interface PoolOptions {
  pooling: Pooling;
  /** Scale each vector to unit L2 norm. */
  normalize: boolean;
}

/** What the reference needs of an encoder. */
export interface EncoderModel {
  config: EncoderConfig;
  weights: EncoderWeights;
}

const f32Cache = new WeakMap<Tensor, Float32Array>();

function _w(t: Tensor): Float32Array {
  let v = f32Cache.get(t);
  if (!v) f32Cache.set(t, v = t.f32());
  return v;
}

/**
 * `y[m, n] = sum_k x[m, k] * w[n, k] + b[n]` (a PyTorch `Linear`), then GELU when `act`.
 *
 * @param x Input `[M, K]`.
 * @param w Weight `[N, K]`.
 * @param b Bias `[N]`.
 * @param M Rows.
 * @param act Apply GELU.
 * @returns `[M, N]`.
 */
export function linear(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  M: number,
  act = false,
): Float32Array {
  const N = b.length, K = w.length / N;
  const y = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    const xo = m * K;
    for (let n = 0; n < N; n++) {
      const wo = n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += x[xo + k] * w[wo + k];
      s += b[n];
      y[m * N + n] = act ? gelu(s) : s;
    }
  }
  return y;
}

/**
 * Row-wise `LayerNorm(x + res)` with the biased variance, as PyTorch computes it.
 *
 * @param x Input `[M, H]`.
 * @param res Residual `[M, H]` or null.
 * @param g Scale `[H]`.
 * @param b Shift `[H]`.
 * @param eps Variance epsilon.
 * @returns `[M, H]`.
 */
export function layerNorm(
  x: Float32Array,
  res: Float32Array | null,
  g: Float32Array,
  b: Float32Array,
  eps: number,
): Float32Array {
  const H = g.length, M = x.length / H;
  const y = new Float32Array(x.length);
  const row = new Float64Array(H);
  for (let m = 0; m < M; m++) {
    let mean = 0;
    for (let d = 0; d < H; d++) {
      row[d] = x[m * H + d] + (res ? res[m * H + d] : 0);
      mean += row[d];
    }
    mean /= H;
    let v = 0;
    for (let d = 0; d < H; d++) v += (row[d] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / H + eps);
    for (let d = 0; d < H; d++) y[m * H + d] = (row[d] - mean) * inv * g[d] + b[d];
  }
  return y;
}

/**
 * Multi-head self-attention over one sequence from its fused `[L, 3H]` query/key/value rows.
 *
 * @param qkv `[L, 3H]`: queries, keys, values; head h at columns `h * dh ... (h + 1) * dh`.
 * @param L Tokens.
 * @param H Hidden width.
 * @param heads Heads.
 * @returns The context `[L, H]`.
 */
export function attention(qkv: Float32Array, L: number, H: number, heads: number): Float32Array {
  const dh = H / heads, scale = 1 / Math.sqrt(dh), W = 3 * H;
  const out = new Float32Array(L * H);
  const p = new Float64Array(L);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < L; i++) {
      let max = -Infinity;
      for (let j = 0; j < L; j++) {
        let s = 0;
        for (let d = 0; d < dh; d++) s += qkv[i * W + h * dh + d] * qkv[j * W + H + h * dh + d];
        p[j] = s * scale;
        if (p[j] > max) max = p[j];
      }
      let sum = 0;
      for (let j = 0; j < L; j++) sum += p[j] = Math.exp(p[j] - max);
      for (let d = 0; d < dh; d++) {
        let acc = 0;
        for (let j = 0; j < L; j++) acc += p[j] * qkv[j * W + 2 * H + h * dh + d];
        out[i * H + h * dh + d] = acc / sum;
      }
    }
  }
  return out;
}

/**
 * The last hidden states of one sequence.
 *
 * @param model The encoder.
 * @param ids Token ids (with `[CLS]`/`[SEP]`), at most `max_position_embeddings` of them.
 * @returns `[L, H]`.
 */
export function referenceHidden(model: EncoderModel, ids: ArrayLike<number>): Float32Array {
  const { config: c, weights: w } = model;
  const H = c.hidden, L = ids.length;
  if (L > c.maxPositions) {
    throw new RangeError(
      `Cannot encode ${L} tokens as the model has ${c.maxPositions} positions: truncate first`,
    );
  }
  const word = _w(w.word), pos = _w(w.position), type = _w(w.tokenType);
  const emb = new Float32Array(L * H);
  for (let t = 0; t < L; t++) {
    for (let d = 0; d < H; d++) {
      emb[t * H + d] = word[ids[t] * H + d] + pos[t * H + d] + type[d];
    }
  }
  const eps = c.layerNormEps;
  let x = layerNorm(emb, null, _w(w.embLnG), _w(w.embLnB), eps);
  for (const l of w.layers) {
    const qkv = linear(x, _w(l.qkvW), _w(l.qkvB), L);
    const ctx = attention(qkv, L, H, c.heads);
    const a = layerNorm(
      linear(ctx, _w(l.attnOutW), _w(l.attnOutB), L),
      x,
      _w(l.attnLnG),
      _w(l.attnLnB),
      eps,
    );
    const inter = linear(a, _w(l.interW), _w(l.interB), L, true);
    x = layerNorm(linear(inter, _w(l.outW), _w(l.outB), L), a, _w(l.outLnG), _w(l.outLnB), eps);
  }
  return x;
}

/**
 * Pools one sequence's hidden states.
 *
 * @param hidden `[L, H]`.
 * @param H Hidden width.
 * @param opts Pooling and normalisation.
 * @returns `[H]`.
 */
export function pool(hidden: Float32Array, H: number, opts: PoolOptions): Float32Array {
  const L = hidden.length / H;
  const v = new Float64Array(H);
  if (opts.pooling === "cls") {
    for (let d = 0; d < H; d++) v[d] = hidden[d];
  } else {
    for (let t = 0; t < L; t++) for (let d = 0; d < H; d++) v[d] += hidden[t * H + d];
    for (let d = 0; d < H; d++) v[d] /= L;
  }
  let scale = 1;
  if (opts.normalize) {
    let n = 0;
    for (let d = 0; d < H; d++) n += v[d] * v[d];
    scale = 1 / Math.max(Math.sqrt(n), 1e-12);
  }
  return Float32Array.from(v, (x) => x * scale);
}

/**
 * Embeds sequences on the CPU, one at a time.
 *
 * @param model The encoder.
 * @param seqs Token ids per sequence.
 * @param opts Pooling and normalisation.
 * @returns `[seqs.length, H]`, row-major.
 * @example
 * ```ts
 * import { loadEncoder } from "./load.ts";
 * import { referenceEmbed } from "./reference.ts";
 * const enc = await loadEncoder("tests/fixtures/tiny_bert");
 * const ids = enc.tokenizer.encode("Hello, world!", 64);
 * const v = referenceEmbed(enc, [ids], { pooling: "mean", normalize: true });
 * if (Math.abs(Math.hypot(...v) - 1) > 1e-5) throw new Error();
 * ```
 */
export function referenceEmbed(
  model: EncoderModel,
  seqs: readonly ArrayLike<number>[],
  opts: PoolOptions,
): Float32Array {
  const H = model.config.hidden;
  const out = new Float32Array(seqs.length * H);
  seqs.forEach((ids, i) => out.set(pool(referenceHidden(model, ids), H, opts), i * H));
  return out;
}
