/**
 * The encoder's architecture from a Hugging Face `config.json`: BERT-family encoders only
 * (absolute positions, post-LayerNorm, exact-erf GELU); anything else is refused naming the field.
 *
 * @module
 */

/** The shape of a BERT-family encoder. */
export interface EncoderConfig {
  /** `model_type` as written (always `bert` today). */
  modelType: string;
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  /** Feed-forward width (`intermediate_size`). */
  intermediate: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
}

/** Longest sequence the attention kernel handles (tokens). */
export const MAX_SEQUENCE = 512;
/** Widest attention head the attention kernel handles. */
export const MAX_HEAD_DIM = 128;

const MODEL_TYPES = ["bert"];
const ACTIVATIONS = ["gelu"];

/**
 * Checks a parsed `config.json` and returns the encoder's shape.
 *
 * @param json The parsed file.
 * @param where The file's path, for messages.
 * @returns The shape.
 * @throws {RangeError} Naming the field when the model is not a BERT-family encoder serflow runs.
 * @example
 * ```ts
 * import { parseEncoderConfig } from "./config.ts";
 * const cfg = parseEncoderConfig({
 *   model_type: "bert", hidden_act: "gelu", vocab_size: 100, hidden_size: 32,
 *   num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64,
 *   max_position_embeddings: 64,
 * }, "config.json");
 * if (cfg.hidden / cfg.heads !== 8) throw new Error();
 * ```
 */
export function parseEncoderConfig(json: unknown, where: string): EncoderConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RangeError(`Cannot read encoder config '${where}' as it is not a JSON object`);
  }
  const c = json as Record<string, unknown>;
  const refuse = (field: string, why: string): never => {
    throw new RangeError(
      `Cannot run the model of '${where}' as field '${field}' ${why}: serflow runs BERT-family ` +
        `encoders (BERT, MiniLM, BGE, E5, GTE with model_type "bert")`,
    );
  };
  const modelType = String(c.model_type ?? "");
  if (!MODEL_TYPES.includes(modelType)) {
    refuse(
      "model_type",
      `is ${JSON.stringify(c.model_type)}, not one of ${MODEL_TYPES.join(", ")}`,
    );
  }
  const act = c.hidden_act ?? "gelu";
  if (typeof act !== "string" || !ACTIVATIONS.includes(act)) {
    refuse("hidden_act", `is ${JSON.stringify(act)}, not "gelu" (the exact erf GELU)`);
  }
  const pos = c.position_embedding_type ?? "absolute";
  if (pos !== "absolute") {
    refuse("position_embedding_type", `is ${JSON.stringify(pos)}, not "absolute"`);
  }
  if (c.is_decoder === true) refuse("is_decoder", "is true (a decoder)");
  if (c.add_cross_attention === true) refuse("add_cross_attention", "is true");
  const int = (field: string, fallback?: number): number => {
    const v = c[field] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Cannot read encoder config '${where}' as field '${field}' must be a positive integer: ` +
          `current value is ${JSON.stringify(c[field])}`,
      );
    }
    return v;
  };
  const cfg: EncoderConfig = {
    modelType,
    vocabSize: int("vocab_size"),
    hidden: int("hidden_size"),
    layers: int("num_hidden_layers"),
    heads: int("num_attention_heads"),
    intermediate: int("intermediate_size"),
    maxPositions: int("max_position_embeddings"),
    typeVocabSize: int("type_vocab_size", 2),
    layerNormEps: typeof c.layer_norm_eps === "number" ? c.layer_norm_eps : 1e-12,
  };
  if (cfg.hidden % cfg.heads !== 0) {
    refuse("num_attention_heads", `(${cfg.heads}) does not divide hidden_size (${cfg.hidden})`);
  }
  if (cfg.hidden / cfg.heads > MAX_HEAD_DIM) {
    refuse("hidden_size", `gives heads of ${cfg.hidden / cfg.heads} dims, above ${MAX_HEAD_DIM}`);
  }
  return cfg;
}
