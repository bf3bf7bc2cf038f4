/**
 * The WebAssembly SIMD kernels of the CPU fast path (`kernels.wat`), instantiated on a shared
 * memory so that every worker runs them on the same weights and buffers. Pointers are byte
 * offsets into that memory; sizes are in elements.
 *
 * @module
 */
import { KERNELS_WASM_BASE64 } from "./kernels_wasm.ts";

/** The kernels' functions over one memory. */
export interface Kernels {
  readonly memory: WebAssembly.Memory;
  /** `C[m x n] += A[m x k] . B[k x n]` (row-major f32; `n` a multiple of 8). */
  gemm(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    lda: number,
    ldb: number,
    ldc: number,
  ): void;
  /** `out[0, dim) = scale * sum of rows ids[start, end)` of the table at `emb` (`dim % 4 == 0`). */
  pool(
    emb: number,
    dim: number,
    ids: number,
    start: number,
    end: number,
    out: number,
    scale: number,
  ): void;
  /**
   * Pools the three bags of each pair `u32 idx[0, n)` (bytes `idx`) into rows at `x + t * ldx`
   * (prompt) and `dqa`, `dqb` bytes further (a, b), scaled for `mean` (1) or sqrt-n (0) pooling.
   * Returns a meaningless value (made of loads that bring each pair's rows into cache early).
   */
  pool_pairs(
    emb: number,
    dim: number,
    pOff: number,
    pIds: number,
    aOff: number,
    aIds: number,
    bOff: number,
    bIds: number,
    idx: number,
    n: number,
    x: number,
    dqa: number,
    dqb: number,
    ldx: number,
    mean: number,
  ): number;
  /** Adds `scale * dv` to rows `ids[start, end)` of `grad` whose `row % parts == part`. */
  scatter(
    grad: number,
    dim: number,
    ids: number,
    start: number,
    end: number,
    dv: number,
    scale: number,
    part: number,
    parts: number,
  ): void;
  /**
   * The activation of `rows` rows of `z` (stride `hp`) in place, its derivative into `g` (when
   * `g != 0`) and each row's reward `b2 + w2 . act(z_row)` into `r`. `kind`: 0 GELU, 1 ReLU.
   */
  act_rows(
    z: number,
    g: number,
    w2: number,
    r: number,
    rows: number,
    hp: number,
    b2: number,
    kind: number,
  ): void;
  /**
   * Rewards of `n` pairs, forward only: `z = zp + sum_c (Wq[:, c] + Wpq[:, c] p_c) q_c` for q_a
   * and q_b, then `b2 + w2 . act(z)` into `ra[t]` and `rb[t]`. Pair t's `p` row is at
   * `x + t * ldx` (bytes), its `q_a` and `q_b` rows `dqa` and `dqb` bytes further, `steps` floats
   * each; `zp` holds the prompt's part `[n x hp]` (overwritten with `z_a`); `w` the weights packed
   * by `packScoreWeights`; `zt` scratch for `hp` floats.
   */
  score_pairs(
    zp: number,
    x: number,
    dqa: number,
    dqb: number,
    ldx: number,
    n: number,
    w: number,
    steps: number,
    hp: number,
    w2: number,
    b2: number,
    kind: number,
    zt: number,
    ra: number,
    rb: number,
  ): void;
  /** One lazy AdamW step on the rows of `rows[0, count)` with `row % parts == part`; zeroes their gradients. */
  adam_rows(
    emb: number,
    m: number,
    v: number,
    g: number,
    rows: number,
    count: number,
    dim: number,
    lr: number,
    beta1: number,
    beta2: number,
    c1: number,
    c2: number,
    eps: number,
    wd: number,
    part: number,
    parts: number,
  ): void;
}

let _module: WebAssembly.Module | undefined;

/**
 * The compiled module (compiled once per thread).
 *
 * @returns The module.
 * @example
 * ```ts
 * import { kernelsModule } from "./kernels.ts";
 * if (!WebAssembly.Module.exports(kernelsModule()).some((e) => e.name === "gemm")) throw new Error();
 * ```
 */
export function kernelsModule(): WebAssembly.Module {
  if (_module) return _module;
  const bin = atob(KERNELS_WASM_BASE64), bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return _module = new WebAssembly.Module(bytes);
}

/** Bytes per WebAssembly page. */
export const PAGE = 65536;

/**
 * A shared memory of at least `bytes` bytes (grows up to 4 GiB).
 *
 * @param bytes The size needed.
 * @returns The memory.
 * @throws {RangeError} When `bytes` exceeds WebAssembly's 4 GiB.
 * @example
 * ```ts
 * import { kernelMemory } from "./kernels.ts";
 * if (kernelMemory(100_000).buffer.byteLength < 100_000) throw new Error();
 * ```
 */
export function kernelMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > 65536) {
    throw new RangeError(
      `Cannot allocate ${bytes} bytes for the CPU kernels as WebAssembly memory ends at 4 GiB: ` +
        "use fewer buckets or fewer pairs per load, or backend: webgpu",
    );
  }
  return new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });
}

/**
 * Instantiates the kernels on `memory`.
 *
 * @param memory A memory from `kernelMemory`.
 * @returns The kernels.
 * @example
 * ```ts
 * import { instantiateKernels, kernelMemory } from "./kernels.ts";
 * const k = instantiateKernels(kernelMemory(1024));
 * const f = new Float32Array(k.memory.buffer, 0, 24);
 * f.set([2], 0); // A = [2] (1 x 1)
 * f.fill(1, 8, 16); // B = 1 x 8 ones
 * k.gemm(0, 32, 64, 1, 8, 1, 1, 8, 8); // C (1 x 8) += A . B
 * if (f[16] !== 2 || f[23] !== 2) throw new Error();
 * ```
 */
export function instantiateKernels(memory: WebAssembly.Memory): Kernels {
  const inst = new WebAssembly.Instance(kernelsModule(), { env: { memory } });
  const e = inst.exports as unknown as Omit<Kernels, "memory">;
  return {
    memory,
    gemm: e.gemm,
    pool: e.pool,
    pool_pairs: e.pool_pairs,
    scatter: e.scatter,
    adam_rows: e.adam_rows,
    act_rows: e.act_rows,
    score_pairs: e.score_pairs,
  };
}
