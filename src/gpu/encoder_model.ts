/**
 * A BERT-family encoder on WebGPU: weights uploaded once (f16 matrices stay f16, packed two per
 * u32), then each call embeds token sequences in length buckets, one submission per bucket
 * (embeddings LayerNorm, per layer: fused QKV matmul, masked attention, output matmul + residual
 * LayerNorm, GELU matmul, matmul + residual LayerNorm; then pooling) and one readback per call.
 *
 * @module
 */
import { lengthBuckets, paddedTokens } from "../encoder/buckets.ts";
import type { EncoderModel, PoolOptions } from "../encoder/reference.ts";
import type { Tensor } from "../encoder/safetensors.ts";
import { readBack, storageBuffer, upload } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { EncoderAttentionKernel, EncoderPoolKernel } from "./encoder_attention.ts";
import { EncoderEmbedKernel, EncoderLayerNormKernel } from "./encoder_layernorm.ts";
import { EncoderMatmulKernel } from "./encoder_matmul.ts";
import { UniformArena } from "./kernel.ts";

/** Options of `GpuEncoder.create`. */
export interface GpuEncoderOptions {
  /** Most padded tokens per batch (default 4096; lowered to fit the device's binding size). */
  maxBatchTokens?: number;
}

/** What one `embed` call did. */
export interface EmbedResult {
  /** `[n, hidden]` pooled vectors, in input order. */
  vectors: Float32Array;
  /** Real tokens embedded. */
  tokens: number;
  /** Tokens computed on, padding included. */
  paddedTokens: number;
  /** Batches (GPU submissions). */
  batches: number;
}

interface Matrix {
  buffer: GPUBuffer;
  f16: boolean;
}

interface LayerBuffers {
  qkv: Matrix;
  qkvB: GPUBuffer;
  attnOut: Matrix;
  attnOutB: GPUBuffer;
  attnLn: GPUBuffer;
  inter: Matrix;
  interB: GPUBuffer;
  out: Matrix;
  outB: GPUBuffer;
  outLn: GPUBuffer;
}

/** The encoder on a device; `destroy()` frees its buffers (not the device). */
export class GpuEncoder {
  readonly gpu: GpuContext;
  readonly model: EncoderModel;
  /** Most padded tokens per batch. */
  readonly maxBatchTokens: number;
  #buffers: GPUBuffer[] = [];
  #k!: {
    matmul: EncoderMatmulKernel;
    ln: EncoderLayerNormKernel;
    embed: EncoderEmbedKernel;
    attn: EncoderAttentionKernel;
    pool: EncoderPoolKernel;
  };
  #arena: UniformArena;
  #groups: GPUBindGroup[] = [];
  #act!: {
    ids: GPUBuffer;
    lens: GPUBuffer;
    h0: GPUBuffer;
    h1: GPUBuffer;
    tmp: GPUBuffer;
    qkv: GPUBuffer;
    ctx: GPUBuffer;
    inter: GPUBuffer;
  };
  #f16Tables = false;
  #layers: LayerBuffers[] = [];

  private constructor(gpu: GpuContext, model: EncoderModel, maxBatchTokens: number) {
    this.gpu = gpu;
    this.model = model;
    this.maxBatchTokens = maxBatchTokens;
    this.#arena = new UniformArena(gpu);
  }

  /**
   * Uploads the weights and compiles the kernels.
   *
   * @param gpu The device (shared; not destroyed by `destroy()`).
   * @param model The encoder's config and weights.
   * @param opts Batch size.
   * @returns The encoder.
   */
  static async create(
    gpu: GpuContext,
    model: EncoderModel,
    opts: GpuEncoderOptions = {},
  ): Promise<GpuEncoder> {
    const c = model.config;
    const widest = Math.max(3 * c.hidden, c.intermediate) * 4;
    const fit = Math.floor(gpu.maxBindingBytes / widest);
    const maxBatchTokens = Math.max(
      Math.min(c.maxPositions, 512),
      Math.min(opts.maxBatchTokens ?? 4096, fit, 65535),
    );
    const enc = new GpuEncoder(gpu, model, maxBatchTokens);
    try {
      await enc.#init();
    } catch (e) {
      enc.destroy();
      throw e;
    }
    return enc;
  }

  async #init(): Promise<void> {
    const gpu = this.gpu, c = this.model.config, w = this.model.weights;
    const [matmul, ln, embed, attn, pool] = await Promise.all([
      EncoderMatmulKernel.load(gpu),
      EncoderLayerNormKernel.load(gpu),
      EncoderEmbedKernel.load(gpu),
      EncoderAttentionKernel.load(gpu),
      EncoderPoolKernel.load(gpu),
    ]);
    this.#k = { matmul, ln, embed, attn, pool };
    const H = c.hidden, T = this.maxBatchTokens;
    this.#f16Tables = [w.word, w.position, w.tokenType].every((t) => t.dtype === "F16");
    const table = (t: Tensor, name: string) => this.#matrix(t, name, this.#f16Tables).buffer;
    const tables = {
      word: table(w.word, "word embeddings"),
      pos: table(w.position, "position embeddings"),
      ttype: table(w.tokenType, "token type embeddings"),
      ln: this.#vector([w.embLnG, w.embLnB], "embeddings LayerNorm"),
    };
    this.#layers = w.layers.map((l, i) => ({
      qkv: this.#matrix(l.qkvW, `layer ${i} qkv`),
      qkvB: this.#vector([l.qkvB], `layer ${i} qkv bias`),
      attnOut: this.#matrix(l.attnOutW, `layer ${i} attention output`),
      attnOutB: this.#vector([l.attnOutB], `layer ${i} attention output bias`),
      attnLn: this.#vector([l.attnLnG, l.attnLnB], `layer ${i} attention LayerNorm`),
      inter: this.#matrix(l.interW, `layer ${i} intermediate`),
      interB: this.#vector([l.interB], `layer ${i} intermediate bias`),
      out: this.#matrix(l.outW, `layer ${i} output`),
      outB: this.#vector([l.outB], `layer ${i} output bias`),
      outLn: this.#vector([l.outLnG, l.outLnB], `layer ${i} output LayerNorm`),
    }));
    const buf = (label: string, bytes: number) => this.#own(storageBuffer(gpu, label, bytes));
    this.#act = {
      ids: buf("encoder ids", 4 * T),
      lens: buf("encoder lens", 4 * T),
      h0: buf("encoder h0", 4 * T * H),
      h1: buf("encoder h1", 4 * T * H),
      tmp: buf("encoder tmp", 4 * T * H),
      qkv: buf("encoder qkv", 4 * T * 3 * H),
      ctx: buf("encoder ctx", 4 * T * H),
      inter: buf("encoder intermediate", 4 * T * c.intermediate),
    };
    const a = this.#act, arena = this.#arena;
    arena.reset(2 + 7 * c.layers);
    this.#groups = [embed.bind(arena, { ids: a.ids, ...tables, y: a.h0 })];
    for (const l of this.#layers) {
      this.#groups.push(
        matmul.bind(arena, a.h0, l.qkv.buffer, l.qkvB, a.qkv),
        attn.bind(arena, a.qkv, a.lens, a.ctx),
        matmul.bind(arena, a.ctx, l.attnOut.buffer, l.attnOutB, a.tmp),
        ln.bind(arena, a.tmp, a.h0, l.attnLn, a.h1),
        matmul.bind(arena, a.h1, l.inter.buffer, l.interB, a.inter),
        matmul.bind(arena, a.inter, l.out.buffer, l.outB, a.tmp),
        ln.bind(arena, a.tmp, a.h1, l.outLn, a.h0),
      );
    }
  }

  /**
   * Embeds token sequences (each with `[CLS]`/`[SEP]`, at most `max_position_embeddings` and
   * 512 tokens).
   *
   * @param seqs Token ids per sequence.
   * @param opts Pooling and normalisation.
   * @returns The vectors in input order, with token counts.
   */
  async embed(seqs: readonly Uint32Array[], opts: PoolOptions): Promise<EmbedResult> {
    const c = this.model.config, H = c.hidden, gpu = this.gpu;
    const limit = Math.min(c.maxPositions, 512);
    const lengths = seqs.map((s, i) => {
      if (s.length < 1 || s.length > limit) {
        throw new RangeError(
          `Cannot embed sequence ${i} of ${s.length} tokens: the model takes 1 to ${limit}`,
        );
      }
      return s.length;
    });
    const buckets = lengthBuckets(lengths, this.maxBatchTokens);
    const out = storageBuffer(gpu, "encoder pooled", 4 * Math.max(1, seqs.length) * H);
    try {
      const poolGroup = this.#k.pool.bind(this.#arena, this.#act.h0, this.#act.lens, out);
      let row = 0;
      for (const b of buckets) {
        this.#submit(b.indices.map((i) => seqs[i]), b.len, row, poolGroup, opts);
        row += b.indices.length;
      }
      const [sorted] = await readBack(gpu, [{ buffer: out, bytes: 4 * seqs.length * H }]);
      const vectors = new Float32Array(seqs.length * H);
      row = 0;
      for (const b of buckets) {
        for (const i of b.indices) vectors.set(sorted.subarray(row * H, ++row * H), i * H);
      }
      const p = paddedTokens(buckets, lengths);
      return { vectors, tokens: p.real, paddedTokens: p.padded, batches: buckets.length };
    } finally {
      out.destroy();
    }
  }

  #submit(
    seqs: Uint32Array[],
    len: number,
    outRow: number,
    poolGroup: GPUBindGroup,
    opts: PoolOptions,
  ): void {
    const c = this.model.config, H = c.hidden, B = seqs.length, rows = B * len;
    const ids = new Uint32Array(rows);
    seqs.forEach((s, b) => ids.set(s, b * len));
    const a = this.#act, k = this.#k, arena = this.#arena, gpu = this.gpu;
    upload(gpu, a.ids, ids);
    upload(gpu, a.lens, Uint32Array.from(seqs, (s) => s.length));
    arena.reset(2 + 7 * c.layers);
    const encoder = gpu.device.createCommandEncoder({ label: "encoder forward" });
    const pass = encoder.beginComputePass();
    const g = this.#groups;
    const eps = c.layerNormEps;
    k.embed.record(pass, g[0], arena, { rows, h: H, len, f16: this.#f16Tables, eps });
    this.#layers.forEach((l, i) => {
      const at = 1 + 7 * i;
      const mm = (j: number, m: Matrix, n: number, kk: number, gelu: boolean) =>
        k.matmul.record(pass, g[at + j], arena, { m: rows, n, k: kk, gelu, f16: m.f16 });
      mm(0, l.qkv, 3 * H, H, false);
      k.attn.record(pass, g[at + 1], arena, { rows, h: H, len, heads: c.heads });
      mm(2, l.attnOut, H, H, false);
      k.ln.record(pass, g[at + 3], arena, { rows, h: H, residual: true, eps });
      mm(4, l.inter, c.intermediate, H, true);
      mm(5, l.out, H, c.intermediate, false);
      k.ln.record(pass, g[at + 6], arena, { rows, h: H, residual: true, eps });
    });
    k.pool.record(pass, poolGroup, arena, {
      batch: B,
      h: H,
      len,
      cls: opts.pooling === "cls",
      normalize: opts.normalize,
      outRow,
    });
    pass.end();
    arena.upload();
    gpu.device.queue.submit([encoder.finish()]);
  }

  #own(b: GPUBuffer): GPUBuffer {
    this.#buffers.push(b);
    return b;
  }

  /** A weight matrix: packed f16 pairs when stored as F16 (unless `f16` is false), else f32 bits. */
  #matrix(t: Tensor, label: string, f16 = t.dtype === "F16"): Matrix {
    if (f16 && t.raw instanceof Uint16Array) {
      const even = t.raw.length % 2 === 0
        ? t.raw
        : Uint16Array.from({ length: t.raw.length + 1 }, (_, i) => t.raw[i] ?? 0);
      const words = new Uint32Array(even.buffer, even.byteOffset, even.length / 2);
      const b = this.#own(storageBuffer(this.gpu, label, words.byteLength));
      upload(this.gpu, b, words);
      return { buffer: b, f16: true };
    }
    const v = t.f32();
    const b = this.#own(storageBuffer(this.gpu, label, v.byteLength));
    upload(this.gpu, b, v);
    return { buffer: b, f16: false };
  }

  #vector(parts: Tensor[], label: string): GPUBuffer {
    const n = parts.reduce((s, p) => s + p.size, 0);
    const v = new Float32Array(n);
    let at = 0;
    for (const p of parts) {
      v.set(p.f32(), at);
      at += p.size;
    }
    const b = this.#own(storageBuffer(this.gpu, label, v.byteLength));
    upload(this.gpu, b, v);
    return b;
  }

  /** Frees the weights and work buffers (the device stays open). */
  destroy(): void {
    for (const b of this.#buffers) b.destroy();
    this.#buffers = [];
    this.#arena.destroy();
  }
}
