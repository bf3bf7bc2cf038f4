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
    scatter: e.scatter,
    adam_rows: e.adam_rows,
    act_rows: e.act_rows,
  };
}
