/**
 * Loads a Hugging Face model folder (`config.json`, `model.safetensors`, `tokenizer.json`) as an
 * encoder serflow runs, with an id that changes whenever any of the three files does.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, join, resolve } from "node:path";
import { type EncoderConfig, parseEncoderConfig } from "./config.ts";
import { parseSafetensors } from "./safetensors.ts";
import { WordPieceTokenizer } from "./tokenizer.ts";
import { type EncoderWeights, encoderWeights } from "./weights.ts";

/** A loaded encoder: its shape, weights, tokenizer and content id. */
export interface Encoder {
  /** The folder it came from (absolute). */
  folder: string;
  /**
   * `<folder name>@<16 hex digits>`: a SHA-256 of the three files, so cached embeddings are
   * never reused across different weights or vocabularies.
   */
  id: string;
  config: EncoderConfig;
  weights: EncoderWeights;
  tokenizer: WordPieceTokenizer;
}

const FILES = ["config.json", "tokenizer.json", "model.safetensors"] as const;

/**
 * Loads a model folder.
 *
 * @param folder The folder (e.g. a `save_pretrained` output or a downloaded Hub snapshot).
 * @returns The encoder.
 * @throws {Deno.errors.NotFound} Naming the missing file and what the folder must hold.
 * @throws {RangeError} When the model or tokenizer is not one serflow runs (naming the field).
 * @example
 * ```ts
 * import { loadEncoder } from "./load.ts";
 * const enc = await loadEncoder("tests/fixtures/tiny_bert");
 * if (enc.config.hidden !== 32 || !enc.id.startsWith("tiny_bert@")) throw new Error();
 * ```
 */
export async function loadEncoder(folder: string): Promise<Encoder> {
  const dir = resolve(folder);
  const bytes: Uint8Array[] = [];
  for (const f of FILES) {
    bytes.push(await _read(dir, f, folder));
  }
  const text = new TextDecoder();
  const parse = (i: number) => {
    try {
      return JSON.parse(text.decode(bytes[i]));
    } catch (e) {
      throw new RangeError(`Cannot load encoder '${folder}' as ${FILES[i]} is not JSON`, {
        cause: e,
      });
    }
  };
  const config = parseEncoderConfig(parse(0), join(dir, FILES[0]));
  const tokenizer = WordPieceTokenizer.fromJson(parse(1), join(dir, FILES[1]));
  const where = join(dir, FILES[2]);
  const weights = encoderWeights(parseSafetensors(bytes[2], where), config, where);
  const h = createHash("sha256");
  for (const b of bytes) h.update(b).update("\u001f");
  return {
    folder: dir,
    id: `${basename(dir)}@${h.digest("hex").slice(0, 16)}`,
    config,
    weights,
    tokenizer,
  };
}

async function _read(dir: string, f: string, folder: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(join(dir, f));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `Cannot load encoder '${folder}' as it has no ${f}: the folder must hold config.json, ` +
          `model.safetensors and tokenizer.json (a Hugging Face model saved with ` +
          `save_pretrained(..., safe_serialization=True) and its fast tokenizer)`,
      );
    }
    throw e;
  }
}
