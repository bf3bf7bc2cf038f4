/**
 * Reward-model checkpoints: one file with the model and featurizer settings, the weights, the
 * AdamW state and metadata. Layout: the 8 ASCII bytes `SFCKPT01`, a little-endian u32 header
 * length, the UTF-8 JSON header, zero padding to a multiple of 8, then raw little-endian float32
 * sections at the offsets the header lists. Written to a temporary file and renamed into place,
 * so a reader never sees half a checkpoint.
 *
 * @module
 */
import { dirname } from "node:path";
import type { FeaturizerConfig } from "./featurizer.ts";
import type { RewardStats } from "./reward_stats.ts";
import { checkParamSizes, PARAM_GROUPS } from "./params.ts";
import { type CheckpointExpect, checkpointMismatches } from "./checkpoint_compat.ts";
import type { ModelConfig, ModelParams, OptimizerState } from "./types.ts";

export type { CheckpointExpect } from "./checkpoint_compat.ts";

const MAGIC = "SFCKPT01";

/** What a checkpoint records besides the weights. */
export interface CheckpointMetadata {
  /** ISO 8601 time of writing. */
  createdAt: string;
  /** SER iteration (0 for a plain training run). */
  iteration: number;
  /** A hash of the training data (pair ids and labels). */
  dataHash: string;
  /** Training and validation metrics. */
  metrics: Record<string, unknown>;
  /** The run and stage that wrote it. */
  runId?: string;
  stageId?: string;
  /** Reward mean and std over the training pool (absent in checkpoints written before it). */
  rewardStats?: RewardStats;
  [key: string]: unknown;
}

/** A whole checkpoint. `featurizer` is null for models on precomputed embeddings. */
export interface Checkpoint {
  model: ModelConfig;
  featurizer: FeaturizerConfig | null;
  params: ModelParams;
  /** The AdamW state (absent when saved without it). */
  optimizer?: OptimizerState;
  metadata: CheckpointMetadata;
}

/** The JSON header of a checkpoint file. */
export interface CheckpointHeader {
  format: "serflow-checkpoint";
  version: 1;
  model: ModelConfig;
  featurizer: FeaturizerConfig | null;
  /** AdamW step, or null when the file has no optimizer state. */
  optimizerStep: number | null;
  metadata: CheckpointMetadata;
  /** Float32 sections: byte offset from the start of the data, and element count. */
  sections: { name: string; offset: number; length: number }[];
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}

/**
 * Writes a checkpoint atomically (temporary file + rename), creating the folder if needed.
 *
 * @param path Where to write (conventionally `<runDir>/checkpoints/<stageId>.ckpt`).
 * @param ckpt The checkpoint.
 * @example
 * ```ts
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * import { zeroParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const model = { ...DEFAULT_MODEL, buckets: 8, dim: 2, hidden: 3 };
 * const path = await Deno.makeTempFile({ suffix: ".ckpt" });
 * await saveCheckpoint(path, { model, featurizer: null, params: zeroParams(model),
 *   metadata: { createdAt: new Date().toISOString(), iteration: 0, dataHash: "", metrics: {} } });
 * if ((await loadCheckpoint(path)).params.w1.length !== 3 * 8) throw new Error();
 * await Deno.remove(path);
 * ```
 */
export async function saveCheckpoint(path: string, ckpt: Checkpoint): Promise<void> {
  checkParamSizes(ckpt.params, ckpt.model);
  const arrays: [string, Float32Array][] = PARAM_GROUPS.map((g) => [`params.${g}`, ckpt.params[g]]);
  if (ckpt.optimizer) {
    checkParamSizes(ckpt.optimizer.m, ckpt.model, "Adam moment m");
    checkParamSizes(ckpt.optimizer.v, ckpt.model, "Adam moment v");
    for (const g of PARAM_GROUPS) arrays.push([`m.${g}`, ckpt.optimizer.m[g]]);
    for (const g of PARAM_GROUPS) arrays.push([`v.${g}`, ckpt.optimizer.v[g]]);
  }
  let offset = 0;
  const sections = arrays.map(([name, a]) => {
    const s = { name, offset, length: a.length };
    offset += a.byteLength;
    return s;
  });
  const header: CheckpointHeader = {
    format: "serflow-checkpoint",
    version: 1,
    model: ckpt.model,
    featurizer: ckpt.featurizer,
    optimizerStep: ckpt.optimizer ? ckpt.optimizer.step : null,
    metadata: ckpt.metadata,
    sections,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(Math.ceil((12 + json.length) / 8) * 8);
  head.set(new TextEncoder().encode(MAGIC));
  new DataView(head.buffer).setUint32(8, json.length, true);
  head.set(json, 12);
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    await writeAll(file, head);
    for (const [, a] of arrays) {
      await writeAll(file, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    await file.syncData();
  } catch (e) {
    file.close();
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  file.close();
  await Deno.rename(tmp, path);
}

function parseHeader(
  path: string,
  bytes: Uint8Array,
): { header: CheckpointHeader; dataStart: number } {
  const bad = (why: string): never => {
    throw new Error(
      `Cannot read checkpoint '${path}' as ${why}: it is not a complete serflow checkpoint`,
    );
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    bad(`it does not start with '${MAGIC}'`);
  }
  const len = new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8, true);
  if (12 + len > bytes.length) bad(`its header needs ${len} bytes but the file is shorter`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  } catch (e) {
    return bad(`its header is not valid JSON (${(e as Error).message})`);
  }
  if (header?.format !== "serflow-checkpoint" || header.version !== 1) {
    bad(
      `its header names format ${header?.format} version ${header?.version}, not serflow-checkpoint 1`,
    );
  }
  return { header, dataStart: Math.ceil((12 + len) / 8) * 8 };
}

/**
 * Reads only the header (settings and metadata) of a checkpoint.
 *
 * @param path The checkpoint file.
 * @returns The header.
 * @example
 * ```ts
 * import { readCheckpointHeader, saveCheckpoint } from "./checkpoint.ts";
 * import { zeroParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const model = { ...DEFAULT_MODEL, buckets: 8, dim: 2, hidden: 3 };
 * const path = await Deno.makeTempFile({ suffix: ".ckpt" });
 * await saveCheckpoint(path, { model, featurizer: null, params: zeroParams(model),
 *   metadata: { createdAt: "2025-01-01T00:00:00Z", iteration: 3, dataHash: "", metrics: {} } });
 * if ((await readCheckpointHeader(path)).metadata.iteration !== 3) throw new Error();
 * await Deno.remove(path);
 * ```
 */
export async function readCheckpointHeader(path: string): Promise<CheckpointHeader> {
  const file = await Deno.open(path, { read: true });
  try {
    const first = new Uint8Array(12);
    const got = await file.read(first);
    const len = got === 12 ? new DataView(first.buffer).getUint32(8, true) : 0;
    const bytes = new Uint8Array(12 + len);
    bytes.set(first);
    for (let at = 12; at < bytes.length;) {
      const n = await file.read(bytes.subarray(at));
      if (n === null) break;
      at += n;
    }
    return parseHeader(path, bytes).header;
  } finally {
    file.close();
  }
}

/**
 * Loads a checkpoint, refusing one whose settings differ from `expect`.
 *
 * @param path The checkpoint file.
 * @param expect The model and featurizer settings the caller needs (only the given keys are compared).
 * @returns The checkpoint.
 * @throws {Error} Naming every mismatch, e.g. "Cannot load checkpoint 'x' as model.dim is 32 in
 *   the checkpoint but 64 in the pipeline", or when the file is damaged.
 * @example
 * ```ts
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * import { zeroParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const model = { ...DEFAULT_MODEL, buckets: 8, dim: 2, hidden: 3 };
 * const path = await Deno.makeTempFile({ suffix: ".ckpt" });
 * await saveCheckpoint(path, { model, featurizer: null, params: zeroParams(model),
 *   metadata: { createdAt: "2025-01-01T00:00:00Z", iteration: 0, dataHash: "", metrics: {} } });
 * const refused = await loadCheckpoint(path, { model: { dim: 4 } }).then(() => false, () => true);
 * if (!refused) throw new Error();
 * await Deno.remove(path);
 * ```
 */
export async function loadCheckpoint(path: string, expect?: CheckpointExpect): Promise<Checkpoint> {
  const bytes = await Deno.readFile(path);
  const { header, dataStart } = parseHeader(path, bytes);
  const problems = expect ? checkpointMismatches(header, expect) : [];
  if (problems.length > 0) {
    throw new Error(
      `Cannot load checkpoint '${path}' as ${problems.join(", and ")}: use a checkpoint trained ` +
        `with the same settings, or change the pipeline to match it`,
    );
  }
  const get = new Map<string, Float32Array>();
  for (const s of header.sections) {
    const start = dataStart + s.offset, end = start + s.length * 4;
    if (end > bytes.length || s.offset % 4 !== 0) {
      throw new Error(
        `Cannot read checkpoint '${path}' as section '${s.name}' lies outside the file: it is truncated`,
      );
    }
    const aligned = (bytes.byteOffset + start) % 4 === 0;
    get.set(
      s.name,
      aligned
        ? new Float32Array(bytes.buffer, bytes.byteOffset + start, s.length)
        : new Float32Array(bytes.slice(start, end).buffer),
    );
  }
  const group = (prefix: string): ModelParams => {
    const out = {} as ModelParams;
    for (const g of PARAM_GROUPS) {
      const a = get.get(`${prefix}.${g}`);
      if (!a) {
        throw new Error(`Cannot read checkpoint '${path}' as it has no '${prefix}.${g}' section`);
      }
      out[g] = a;
    }
    return out;
  };
  const params = group("params");
  checkParamSizes(params, header.model, `the weights of checkpoint '${path}'`);
  const optimizer = header.optimizerStep === null
    ? undefined
    : { step: header.optimizerStep, m: group("m"), v: group("v") };
  return {
    model: header.model,
    featurizer: header.featurizer,
    params,
    optimizer,
    metadata: header.metadata,
  };
}
