// Shared helpers for the model tests: small random models, features and training sets.
import { Rng } from "../../src/contracts/rng.ts";
import type { PairRow } from "../../src/data/schema.ts";
import { initParams } from "../../src/model/params.ts";
import type { Grads } from "../../src/model/reference_batch.ts";
import {
  DEFAULT_MODEL,
  type ModelConfig,
  type PairFeatures,
  type TrainSet,
} from "../../src/model/types.ts";

/** A small model shape (override any field). */
export function smallConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return { ...DEFAULT_MODEL, buckets: 12, dim: 3, hidden: 5, initScale: 0.5, ...over };
}

/** Random bags over `buckets` (sizes 0..maxLen, with repeated ids), or embeddings for `input: embedding`. */
export function randomFeatures(cfg: ModelConfig, n: number, rng: Rng, maxLen = 5): PairFeatures {
  const bag = () => {
    const offsets = new Uint32Array(n + 1), ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const len = i === 0 ? 0 : 1 + rng.int(maxLen); // pair 0 has empty bags
      for (let t = 0; t < len; t++) {
        ids.push(t > 0 && rng.next() < 0.3 ? ids[ids.length - 1] : rng.int(cfg.buckets));
      }
      offsets[i + 1] = ids.length;
    }
    return { offsets, ids: Uint32Array.from(ids) };
  };
  if (cfg.input === "embedding") {
    const emb = () => Float32Array.from({ length: n * cfg.dim }, () => rng.normal());
    const z = new Uint32Array(n + 1), e = new Uint32Array(0);
    return {
      n,
      promptOffsets: z,
      promptIds: e,
      aOffsets: z,
      aIds: e,
      bOffsets: z,
      bIds: e,
      promptEmb: emb(),
      aEmb: emb(),
      bEmb: emb(),
    };
  }
  const p = bag(), a = bag(), b = bag();
  return {
    n,
    promptOffsets: p.offsets,
    promptIds: p.ids,
    aOffsets: a.offsets,
    aIds: a.ids,
    bOffsets: b.offsets,
    bIds: b.ids,
  };
}

/** Every pair once, random labels and weights in [0.5, 1.5). */
export function randomSet(n: number, rng: Rng): TrainSet {
  return {
    indices: Uint32Array.from({ length: n }, (_, i) => i),
    labels: Int8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : -1)),
    weights: Float32Array.from({ length: n }, () => 0.5 + rng.next()),
  };
}

/** Random float64 parameters (biases non-zero too). */
export function randomParams64(cfg: ModelConfig, rng: Rng): Grads {
  const p = initParams(cfg, rng);
  const b1 = Float64Array.from(p.b1, () => 0.3 * rng.normal());
  return {
    embedding: Float64Array.from(p.embedding),
    w1: Float64Array.from(p.w1),
    b1,
    w2: Float64Array.from(p.w2),
    b2: Float64Array.from([0.2]),
  };
}

const NEUTRAL = Array.from({ length: 60 }, (_, i) => `word${i}`);
const GOOD = ["thanks", "sure", "helpful", "clear", "correct"];
const BAD = ["whatever", "wrong", "rude", "useless", "no"];

/**
 * Toy preference pairs: the response holding a "good" word beats the one holding a "bad" word
 * (separable by unigrams). Unlabelled rows keep their label in `gold` only.
 */
export function toyRows(n: number, seed: number, split: PairRow["split"]): PairRow[] {
  const rng = new Rng(seed);
  const pick = (xs: string[]) => xs[rng.int(xs.length)];
  const text = (k: number, extra: string) => {
    const ws = Array.from({ length: k }, () => pick(NEUTRAL));
    ws.splice(rng.int(k + 1), 0, extra);
    return ws.join(" ");
  };
  return Array.from({ length: n }, (_, i) => {
    const aGood = rng.next() < 0.5;
    const y = aGood ? 1 : -1;
    return {
      pair_id: `${split}-${seed}-${i}`,
      group_id: `g${seed}-${i}`,
      prompt: text(5, pick(NEUTRAL)),
      response_a: text(4, pick(aGood ? GOOD : BAD)),
      response_b: text(4, pick(aGood ? BAD : GOOD)),
      label: split === "unlabelled" ? null : y,
      split,
      gold: split === "unlabelled" ? y : null,
      source: "toy",
    };
  });
}
