/**
 * Texts to pooled vectors with a pretrained encoder: tokenizes (keeping the end of long texts),
 * then runs the forward pass on WebGPU (`GpuEncoder`) or on the CPU (the TypeScript reference),
 * in chunks so that long work reports progress and can stop.
 *
 * @module
 */
import {
  ADAPTER_HELP,
  type GpuContext,
  isSoftwareAdapter,
  openGpu,
  requestAdapter,
} from "./device.ts";
import { GpuEncoder } from "./encoder_model.ts";
import { type Encoder, loadEncoder } from "../encoder/load.ts";
import { type Pooling, referenceEmbed } from "../encoder/reference.ts";
import type { Logger } from "../contracts/types.ts";

/** Options of `TextEmbedder.open`. */
export interface TextEmbedderOptions {
  pooling: Pooling;
  normalize: boolean;
  /** Longest sequence, `[CLS]` and `[SEP]` included (capped by the model's positions and 512). */
  maxTokens: number;
  /** Most padded tokens per GPU batch. */
  batchTokens: number;
  /**
   * `webgpu` (an adapter is required, a software one is used too), `cpu` (the reference), or
   * `auto`: WebGPU on a hardware adapter, else the CPU reference with a warning.
   */
  backend: "auto" | "webgpu" | "cpu";
  log: Logger;
  /** A device to share (not destroyed by `destroy()`); otherwise one is opened when needed. */
  gpu?: GpuContext | null;
}

/** Vectors of some texts. */
export interface TextVectors {
  /** `[texts, dim]` row-major. */
  vectors: Float32Array;
  /** Tokens per text (with `[CLS]`/`[SEP]`, after truncation). */
  tokens: Uint32Array;
}

/** Texts per chunk between progress reports, on the GPU and on the CPU. */
const GPU_CHUNK = 512, CPU_CHUNK = 64;

/** An open encoder and the device it runs on; `destroy()` releases both. */
export class TextEmbedder {
  readonly encoder: Encoder;
  readonly opts: TextEmbedderOptions;
  /** Longest sequence actually used. */
  readonly maxTokens: number;
  /** What runs the forward pass (the adapter's name, or `cpu`). */
  readonly device: string;
  readonly #gpu: GpuContext | null;
  readonly #ownsGpu: boolean;
  readonly #model: GpuEncoder | null;

  private constructor(
    encoder: Encoder,
    opts: TextEmbedderOptions,
    gpu: GpuContext | null,
    model: GpuEncoder | null,
    ownsGpu = true,
  ) {
    this.encoder = encoder;
    this.opts = opts;
    this.maxTokens = Math.min(opts.maxTokens, encoder.config.maxPositions, 512);
    this.#gpu = gpu;
    this.#ownsGpu = ownsGpu;
    this.#model = model;
    this.device = gpu ? gpu.adapterName : "cpu";
  }

  /**
   * Loads a model folder and opens its backend.
   *
   * @param folder A Hugging Face model folder.
   * @param opts Pooling, truncation, batching and backend.
   * @returns The embedder; call `destroy()` when done.
   * @throws Error saying how to get an adapter when `backend` is `webgpu` and there is none.
   * @example
   * ```ts
   * import { TextEmbedder } from "./text_embedder.ts";
   * const noop = () => {};
   * const log = { debug: noop, info: noop, warn: noop, error: noop };
   * const e = await TextEmbedder.open("tests/fixtures/tiny_bert", {
   *   pooling: "mean", normalize: true, maxTokens: 64, batchTokens: 1024, backend: "cpu", log,
   * });
   * const { vectors } = await e.embed(["Hello!", "A longer text."]);
   * if (vectors.length !== 2 * e.dim) throw new Error();
   * e.destroy();
   * ```
   */
  static async open(folder: string, opts: TextEmbedderOptions): Promise<TextEmbedder> {
    const encoder = await loadEncoder(folder);
    if (opts.backend === "cpu") return new TextEmbedder(encoder, opts, null, null);
    const adapter = await requestAdapter();
    if (!adapter) {
      if (opts.backend === "webgpu") {
        throw new Error(
          `Cannot run encoder '${folder}' on WebGPU as no adapter was found: ${ADAPTER_HELP}; or set backend: cpu`,
        );
      }
      opts.log.warn(
        `No WebGPU adapter found, so the encoder runs on the CPU reference (much slower): ${ADAPTER_HELP}`,
      );
      return new TextEmbedder(encoder, opts, null, null);
    }
    if (opts.backend === "auto" && isSoftwareAdapter(adapter)) {
      opts.log.warn(
        `Only a software WebGPU adapter was found ('${adapter.info.description}'), which is ` +
          "slower than the CPU reference, so the encoder runs on the CPU: install a GPU driver " +
          "for a hardware adapter, or set backend: webgpu to use the software one anyway",
      );
      return new TextEmbedder(encoder, opts, null, null);
    }
    const owns = !opts.gpu;
    const gpu = opts.gpu ?? await openGpu({ log: opts.log });
    try {
      const model = await GpuEncoder.create(gpu, encoder, { maxBatchTokens: opts.batchTokens });
      return new TextEmbedder(encoder, opts, gpu, model, owns);
    } catch (e) {
      if (owns) gpu.destroy();
      throw e;
    }
  }

  /** Vector width (the encoder's hidden size). */
  get dim(): number {
    return this.encoder.config.hidden;
  }

  /**
   * The cache key of this encoder and its settings: texts embedded under the same key get the
   * same vectors.
   */
  get key(): string {
    const o = this.opts;
    return `${this.encoder.id}/${o.pooling}${o.normalize ? "+l2" : ""}/${this.maxTokens}`;
  }

  /**
   * Embeds texts.
   *
   * @param texts The texts.
   * @param onChunk Called after each chunk with the texts and tokens done so far.
   * @param signal Stops between chunks when aborted.
   * @returns The vectors and token counts, in input order.
   */
  async embed(
    texts: readonly string[],
    onChunk?: (texts: number, tokens: number) => void,
    signal?: AbortSignal,
  ): Promise<TextVectors> {
    const H = this.dim, tok = this.encoder.tokenizer;
    const vectors = new Float32Array(texts.length * H);
    const tokens = new Uint32Array(texts.length);
    const chunk = this.#model ? GPU_CHUNK : CPU_CHUNK;
    const pool = { pooling: this.opts.pooling, normalize: this.opts.normalize };
    let done = 0, tokenCount = 0;
    for (let start = 0; start < texts.length; start += chunk) {
      signal?.throwIfAborted();
      const part = texts.slice(start, start + chunk);
      const seqs = part.map((t) => tok.encode(t, this.maxTokens));
      const v = this.#model
        ? (await this.#model.embed(seqs, pool)).vectors
        : referenceEmbed(this.encoder, seqs, pool);
      vectors.set(v, start * H);
      seqs.forEach((s, i) => tokens[start + i] = s.length);
      done += part.length;
      tokenCount += seqs.reduce((a, s) => a + s.length, 0);
      onChunk?.(done, tokenCount);
    }
    return { vectors, tokens };
  }

  /** Frees the GPU buffers, and the device unless it was shared. */
  destroy(): void {
    this.#model?.destroy();
    if (this.#ownsGpu) this.#gpu?.destroy();
  }
}
