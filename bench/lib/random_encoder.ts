/**
 * Random-weight BERT encoders at real sizes for the encoder benchmark: the cost of a forward
 * pass does not depend on the weights' values.
 *
 * @module
 */
import type { EncoderConfig } from "../../src/encoder/config.ts";
import { floatToHalf } from "../../src/encoder/f16.ts";
import type { EncoderModel } from "../../src/encoder/reference.ts";
import { Tensor } from "../../src/encoder/safetensors.ts";
import type { LayerWeights } from "../../src/encoder/weights.ts";
import { Rng } from "../../src/contracts/rng.ts";

/** The benchmarked shapes. */
export const ENCODER_SIZES: Record<string, EncoderConfig> = {
  "minilm-l6": {
    modelType: "bert",
    vocabSize: 30522,
    hidden: 384,
    layers: 6,
    heads: 12,
    intermediate: 1536,
    maxPositions: 512,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
  },
  "bert-base": {
    modelType: "bert",
    vocabSize: 30522,
    hidden: 768,
    layers: 12,
    heads: 12,
    intermediate: 3072,
    maxPositions: 512,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
  },
};

/**
 * A random-weight encoder (weights uniform in ±0.05, LayerNorm gains 1).
 *
 * @param config The shape.
 * @param f16 Store the matrices as f16.
 * @param seed Generator seed.
 * @returns The model.
 * @example
 * ```ts
 * import { randomEncoder } from "./random_encoder.ts";
 * const m = randomEncoder({ modelType: "bert", vocabSize: 10, hidden: 4, layers: 1, heads: 2,
 *   intermediate: 8, maxPositions: 8, typeVocabSize: 2, layerNormEps: 1e-12 }, false, 1);
 * if (m.weights.layers[0].qkvW.shape[0] !== 12) throw new Error();
 * ```
 */
export function randomEncoder(config: EncoderConfig, f16: boolean, seed: number): EncoderModel {
  const rng = new Rng(seed);
  const H = config.hidden, I = config.intermediate;
  const mat = (rows: number, cols: number): Tensor => {
    const v = new Float32Array(rows * cols);
    for (let i = 0; i < v.length; i++) v[i] = (rng.next() - 0.5) * 0.1;
    return f16
      ? new Tensor("F16", [rows, cols], Uint16Array.from(v, floatToHalf))
      : new Tensor("F32", [rows, cols], v);
  };
  const vec = (n: number, value?: number): Tensor => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = value ?? (rng.next() - 0.5) * 0.1;
    return new Tensor("F32", [n], v);
  };
  const layers: LayerWeights[] = [];
  for (let l = 0; l < config.layers; l++) {
    layers.push({
      qkvW: mat(3 * H, H),
      qkvB: vec(3 * H),
      attnOutW: mat(H, H),
      attnOutB: vec(H),
      attnLnG: vec(H, 1),
      attnLnB: vec(H),
      interW: mat(I, H),
      interB: vec(I),
      outW: mat(H, I),
      outB: vec(H),
      outLnG: vec(H, 1),
      outLnB: vec(H),
    });
  }
  return {
    config,
    weights: {
      dtype: f16 ? "F16" : "F32",
      word: mat(config.vocabSize, H),
      position: mat(config.maxPositions, H),
      tokenType: mat(config.typeVocabSize, H),
      embLnG: vec(H, 1),
      embLnB: vec(H),
      layers,
    },
  };
}
