/**
 * The weights of a BERT-family encoder, gathered from a safetensors file by their Hugging Face
 * names (with or without a `bert.` prefix), with the query, key and value projections of each
 * layer concatenated into one `[3 * hidden, hidden]` matrix.
 *
 * @module
 */
import type { EncoderConfig } from "./config.ts";
import { Tensor } from "./safetensors.ts";

/** One encoder layer's weights (linear weights are `[out, in]`, as in PyTorch). */
export interface LayerWeights {
  qkvW: Tensor;
  qkvB: Tensor;
  attnOutW: Tensor;
  attnOutB: Tensor;
  attnLnG: Tensor;
  attnLnB: Tensor;
  interW: Tensor;
  interB: Tensor;
  outW: Tensor;
  outB: Tensor;
  outLnG: Tensor;
  outLnB: Tensor;
}

/** Every weight of the encoder. */
export interface EncoderWeights {
  /** The dtype of the word embeddings: the file's (BF16 files are converted to F32). */
  dtype: "F32" | "F16";
  word: Tensor;
  position: Tensor;
  tokenType: Tensor;
  embLnG: Tensor;
  embLnB: Tensor;
  layers: LayerWeights[];
}

const PREFIXES = ["", "bert.", "model.", "encoder."];

/**
 * Collects and checks the encoder's weights.
 *
 * @param tensors The file's tensors by name.
 * @param cfg The architecture (shapes are checked against it).
 * @param where The weights file, for messages.
 * @returns The weights.
 * @throws {RangeError} Naming the missing tensor or the one with the wrong shape.
 */
export function encoderWeights(
  tensors: Map<string, Tensor>,
  cfg: EncoderConfig,
  where: string,
): EncoderWeights {
  const prefix = PREFIXES.find((p) => tensors.has(`${p}embeddings.word_embeddings.weight`));
  if (prefix === undefined) {
    throw new RangeError(
      `Cannot find 'embeddings.word_embeddings.weight' in '${where}': is it the weights file of ` +
        `a BERT-family encoder (BertModel)?`,
    );
  }
  const H = cfg.hidden, I = cfg.intermediate;
  const dtype: "F32" | "F16" = tensors.get(`${prefix}embeddings.word_embeddings.weight`)!.dtype ===
      "F16"
    ? "F16"
    : "F32";
  const get = (name: string, shape: number[]): Tensor => {
    const t = tensors.get(prefix + name);
    if (!t) {
      throw new RangeError(
        `Cannot find tensor '${prefix + name}' in '${where}': the file does not match config.json`,
      );
    }
    if (t.shape.join() !== shape.join()) {
      throw new RangeError(
        `Cannot use tensor '${prefix + name}' of '${where}' as its shape is [${t.shape}]: ` +
          `config.json implies [${shape}]`,
      );
    }
    return _as(t);
  };
  const layers: LayerWeights[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const p = `encoder.layer.${l}.`;
    const [q, k, v] = ["query", "key", "value"].map((
      n,
    ) => [get(`${p}attention.self.${n}.weight`, [H, H]), get(`${p}attention.self.${n}.bias`, [H])]);
    layers.push({
      qkvW: _concat([q[0], k[0], v[0]], [3 * H, H]),
      qkvB: _concat([q[1], k[1], v[1]], [3 * H]),
      attnOutW: get(`${p}attention.output.dense.weight`, [H, H]),
      attnOutB: get(`${p}attention.output.dense.bias`, [H]),
      attnLnG: get(`${p}attention.output.LayerNorm.weight`, [H]),
      attnLnB: get(`${p}attention.output.LayerNorm.bias`, [H]),
      interW: get(`${p}intermediate.dense.weight`, [I, H]),
      interB: get(`${p}intermediate.dense.bias`, [I]),
      outW: get(`${p}output.dense.weight`, [H, I]),
      outB: get(`${p}output.dense.bias`, [H]),
      outLnG: get(`${p}output.LayerNorm.weight`, [H]),
      outLnB: get(`${p}output.LayerNorm.bias`, [H]),
    });
  }
  return {
    dtype,
    word: get("embeddings.word_embeddings.weight", [cfg.vocabSize, H]),
    position: get("embeddings.position_embeddings.weight", [cfg.maxPositions, H]),
    tokenType: get("embeddings.token_type_embeddings.weight", [cfg.typeVocabSize, H]),
    embLnG: get("embeddings.LayerNorm.weight", [H]),
    embLnB: get("embeddings.LayerNorm.bias", [H]),
    layers,
  };
}

/** F32 and F16 tensors stay as stored (a kernel reads either); BF16 ones become F32. */
function _as(t: Tensor): Tensor {
  return t.dtype === "BF16" ? new Tensor("F32", t.shape, t.f32()) : t;
}

function _concat(parts: Tensor[], shape: number[]): Tensor {
  if (parts.some((p) => p.dtype !== parts[0].dtype)) parts = parts.map((p) => _f32(p));
  const n = parts.reduce((a, p) => a + p.size, 0);
  const out = parts[0].raw instanceof Float32Array ? new Float32Array(n) : new Uint16Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p.raw as Float32Array & Uint16Array, at);
    at += p.size;
  }
  return new Tensor(parts[0].dtype, shape, out);
}

function _f32(t: Tensor): Tensor {
  return new Tensor("F32", t.shape, t.f32());
}
