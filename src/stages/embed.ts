/**
 * `embed`: adds pooled text embeddings from a pretrained BERT-family encoder (`prompt_emb`,
 * `a_emb`, `b_emb`, `FixedSizeList<Float32>`) to pair batches, for a reward model with
 * `model.input: embedding`. Vectors are cached in a pool by encoder key and text hash.
 *
 * @module
 */
import { defer, finalize, type OperatorFunction } from "rxjs";
import { dirname, resolve } from "node:path";
import { Field, FixedSizeList, Float32, makeData } from "apache-arrow";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { contentHash } from "../data/hash.ts";
import { withColumns } from "../data/schema.ts";
import { textsOf } from "../model/id_columns.ts";
import { EMBEDDING_COLUMNS } from "../model/pair_features.ts";
import { TextEmbedder } from "../gpu/text_embedder.ts";
import { Pool } from "../pool/pool.ts";
import { runPool } from "../pool/run_pool.ts";
import { runCompute } from "../compute/run_compute.ts";

/** The `embed` stage's spec. */
export const spec: StageSpec = {
  name: "embed",
  summary: "Adds pretrained-encoder embeddings (prompt_emb, a_emb, b_emb) to pair batches.",
  description: "Runs a Hugging Face BERT-family encoder (BERT, MiniLM, BGE, E5, GTE: a folder " +
    "with `config.json`, `model.safetensors` in f32 or f16, and `tokenizer.json`) on the " +
    "prompt and both responses of every pair, in WGSL on WebGPU (or the TypeScript reference " +
    "on the CPU), and adds the pooled vectors as `FixedSizeList<Float32>` columns of the " +
    "encoder's hidden size: set the reward model's `model.input: embedding` and `model.dim` " +
    "to that size. Texts longer than `max_tokens` keep their end (the latest turns). Vectors " +
    "are cached by encoder (file contents and settings) and text hash in the run's pool " +
    "(`embeddings` table), or in a pool file shared by several runs (`cache`), so no text is " +
    "embedded twice.",
  fields: {
    model: {
      type: "path",
      required: true,
      description: "The encoder's Hugging Face model folder (relative to the pipeline file); " +
        "give it on the command line with --set stages.<id>.with.model=PATH",
    },
    pooling: {
      type: "enum",
      values: ["mean", "cls"],
      default: "mean",
      description: "mean: average of the token states (sentence-transformers' mean pooling); " +
        "cls: the [CLS] token's state.",
    },
    normalize: {
      type: "boolean",
      default: true,
      description: "Scale each vector to unit L2 norm.",
    },
    max_tokens: {
      type: "integer",
      default: 256,
      min: 2,
      max: 512,
      description: "Longest sequence with [CLS] and [SEP] (also capped by the model's " +
        "max_position_embeddings); longer texts keep their end.",
    },
    batch_tokens: {
      type: "integer",
      default: 4096,
      min: 512,
      max: 65535,
      description: "Padded tokens per GPU batch (texts are sorted by length and bucketed).",
    },
    backend: {
      type: "enum",
      values: ["auto", "webgpu", "cpu"],
      default: "auto",
      description: "webgpu: WGSL kernels (an adapter is required; a software one is used " +
        "too); cpu: the TypeScript reference; auto: WebGPU on a hardware adapter, else the CPU " +
        "reference with a warning (Mesa's software adapters are slower than it).",
    },
    cache: {
      type: "string",
      default: "run",
      description: "run: cache vectors in the run's pool; off: no cache; otherwise the path of " +
        "a pool file (relative to the pipeline file) shared by runs, e.g. across compare seeds.",
    },
  },
  examples: [
    {
      title: "MiniLM sentence embeddings (model folder given with --set)",
      yaml: "use: embed\nwith: { model: models/all-MiniLM-L6-v2 }",
    },
    {
      title: "[CLS] pooling, 512 tokens, a cache shared by every run",
      yaml: "use: embed\nwith:\n  model: models/bge-small-en-v1.5\n  pooling: cls\n" +
        "  max_tokens: 512\n  cache: runs/embeddings.duckdb",
    },
  ],
};

/** Config of `embed` (snake_case as in the pipeline file). */
export interface EmbedConfig {
  model: string;
  pooling: "mean" | "cls";
  normalize: boolean;
  max_tokens: number;
  batch_tokens: number;
  backend: "auto" | "webgpu" | "cpu";
  cache: string;
}

const TEXT_COLUMNS = [
  ["prompt", EMBEDDING_COLUMNS.prompt],
  ["response_a", EMBEDDING_COLUMNS.a],
  ["response_b", EMBEDDING_COLUMNS.b],
] as const;

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that adds the embedding columns to each pair batch.
 */
export function operator(cfg: EmbedConfig, ctx: StageContext): OperatorFunction<Batch, Batch> {
  return (source) =>
    defer(() => {
      const folder = resolve(ctx.pipeline.dir, cfg.model);
      const totals = { texts: 0, cached: 0, embedded: 0, tokens: 0, ms: 0 };
      const bar = ctx.progress(`embed (${cfg.model})`);
      let embedder: TextEmbedder | null = null;
      const open = async () => {
        if (embedder) return embedder;
        embedder = await _embedder(folder, cfg, ctx);
        ctx.log.info("Encoder", {
          model: embedder.encoder.id,
          device: embedder.device,
          dim: embedder.dim,
          layers: embedder.encoder.config.layers,
          weights: embedder.encoder.weights.dtype,
          max_tokens: embedder.maxTokens,
        });
        return embedder;
      };
      return source.pipe(
        ctx.mapAsync(async (batch) => {
          const e = await open();
          const cache = await _cache(cfg, ctx);
          const columns = TEXT_COLUMNS.map(([name]) => {
            const col = batch.getChild(name);
            if (!col) {
              throw new Error(
                `Cannot embed batch in stage '${ctx.stageId}' as it has no '${name}' column: ` +
                  `put embed after a reader (read, synthetic) and split`,
              );
            }
            return textsOf(col).map((t) => t ?? "");
          });
          const hashes = columns.map((texts) => texts.map((t) => contentHash(t)));
          const unique = new Map<string, string>();
          columns.forEach((texts, c) => texts.forEach((t, i) => unique.set(hashes[c][i], t)));
          const keys = [...unique.keys()];
          const found = cache
            ? (await cache.readEmbeddings(e.key, keys)).vectors
            : new Map<string, Float32Array>();
          const missing = keys.filter((k) => !found.has(k));
          const t0 = performance.now();
          const r = await e.embed(
            missing.map((k) => unique.get(k)!),
            (n, tokens) => {
              const s = (performance.now() - t0 + totals.ms) / 1000;
              bar.status(`${n}/${missing.length} texts, ${_rate(totals.tokens + tokens, s)} tok/s`);
            },
            ctx.signal,
          );
          const ms = performance.now() - t0;
          missing.forEach((k, i) => found.set(k, r.vectors.subarray(i * e.dim, (i + 1) * e.dim)));
          if (cache && missing.length > 0) {
            await cache.writeEmbeddings(e.key, e.dim, missing, r.vectors, r.tokens);
          }
          const tokens = r.tokens.reduce((a, b) => a + b, 0);
          Object.assign(totals, {
            texts: totals.texts + keys.length,
            cached: totals.cached + keys.length - missing.length,
            embedded: totals.embedded + missing.length,
            tokens: totals.tokens + tokens,
            ms: totals.ms + ms,
          });
          bar.tick(batch.numRows);
          ctx.log.debug("embedded batch", {
            rows: batch.numRows,
            texts: keys.length,
            cached: keys.length - missing.length,
            tokens,
            tokens_per_s: _rate(tokens, ms / 1000),
          });
          const cols: Record<string, unknown> = {};
          TEXT_COLUMNS.forEach(([, out], c) => cols[out] = _column(hashes[c], found, e.dim));
          return withColumns(batch, cols);
        }),
        finalize(() => {
          bar.done();
          if (totals.texts > 0) {
            ctx.log.info("embedded", {
              texts: totals.texts,
              from_cache: totals.cached,
              embedded: totals.embedded,
              tokens: totals.tokens,
              seconds: +(totals.ms / 1000).toFixed(2),
              tokens_per_s: _rate(totals.tokens, totals.ms / 1000),
            });
          }
          (embedder as TextEmbedder | null)?.destroy();
        }),
      );
    });
}

function _rate(tokens: number, seconds: number): number {
  return seconds > 0 ? Math.round(tokens / seconds) : 0;
}

/** The encoder, on the run's shared WebGPU device when the reward model has one. */
async function _embedder(
  folder: string,
  cfg: EmbedConfig,
  ctx: StageContext,
): Promise<TextEmbedder> {
  const gpu = cfg.backend === "cpu" ? null : (await runCompute(ctx)).gpu;
  return await TextEmbedder.open(folder, {
    gpu,
    pooling: cfg.pooling,
    normalize: cfg.normalize,
    maxTokens: cfg.max_tokens,
    batchTokens: cfg.batch_tokens,
    backend: cfg.backend,
    log: ctx.log,
  });
}

/** The pool holding the cache: the run's, a shared file (opened once per run), or none. */
function _cache(cfg: EmbedConfig, ctx: StageContext): Promise<Pool | null> {
  if (cfg.cache === "off") return Promise.resolve(null);
  if (cfg.cache === "run") return runPool(ctx);
  const path = resolve(ctx.pipeline.dir, cfg.cache);
  return ctx.resources.get(`embedding-cache:${path}`, async () => {
    await Deno.mkdir(dirname(path), { recursive: true });
    return await Pool.open(path);
  }, (pool) => pool.close());
}

function _column(hashes: string[], vectors: Map<string, Float32Array>, dim: number) {
  const values = new Float32Array(hashes.length * dim);
  hashes.forEach((h, i) => values.set(vectors.get(h)!, i * dim));
  const child = makeData({ type: new Float32(), length: values.length, data: values });
  return makeData({
    type: new FixedSizeList(dim, new Field("item", new Float32(), false)),
    length: hashes.length,
    nullCount: 0,
    child,
  });
}
