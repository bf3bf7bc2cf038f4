/**
 * What every kernel wrapper shares: a pipeline with an explicit layout, a uniform arena that holds
 * the params of many dispatches in one buffer (bound with dynamic offsets, so a whole epoch is
 * recorded with one bind group per kernel), the flat-dispatch rule, and cost counts.
 *
 * Params structs put their `u32` fields first and their `f32` fields after, 16 words at most.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { type BindingKind, type KernelPipeline, kernelPipeline } from "./shader.ts";

/** Bytes and floating-point operations of one dispatch (for GB/s and GFLOP/s reports). */
export interface KernelCost {
  /**
   * Compulsory traffic: bytes read plus bytes written, each distinct element counted once (what
   * a kernel must move at least; re-reads served by caches are not counted).
   */
  bytes: number;
  /** Floating-point operations (a multiply-add counts 2). */
  flops: number;
}

/** Largest params struct, in bytes (16 words). */
export const PARAMS_BYTES = 64;

/** Holds many dispatches' params structs in one uniform buffer, one aligned slot each. */
export class UniformArena {
  readonly slotBytes: number;
  #gpu: GpuContext;
  #data = new ArrayBuffer(0);
  #u32 = new Uint32Array(0);
  #f32 = new Float32Array(0);
  #used = 0;
  #buffer: GPUBuffer | null = null;

  /** @param gpu The device (its `minUniformBufferOffsetAlignment` sets the slot size). */
  constructor(gpu: GpuContext) {
    this.#gpu = gpu;
    this.slotBytes = Math.max(PARAMS_BYTES, gpu.device.limits.minUniformBufferOffsetAlignment);
  }

  /**
   * Empties the arena and makes room for `slots` params structs. Bind groups made before a call
   * that grows the buffer must be made again (`buffer` changes).
   *
   * @param slots Dispatches to be recorded before the next `upload()`.
   */
  reset(slots: number): void {
    const bytes = Math.max(1, slots) * this.slotBytes;
    if (this.#data.byteLength < bytes) {
      this.#data = new ArrayBuffer(bytes);
      this.#u32 = new Uint32Array(this.#data);
      this.#f32 = new Float32Array(this.#data);
    }
    if (!this.#buffer || this.#buffer.size < bytes) {
      this.#buffer?.destroy();
      this.#buffer = this.#gpu.device.createBuffer({
        label: "uniform arena",
        size: bytes,
        // UNIFORM: bound as the params struct; COPY_DST: filled by queue.writeBuffer.
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
    }
    this.#used = 0;
  }

  /** The uniform buffer (valid until a `reset()` that grows it). */
  get buffer(): GPUBuffer {
    if (!this.#buffer) throw new Error("Cannot bind the uniform arena before reset() sized it");
    return this.#buffer;
  }

  /**
   * Appends one params struct.
   *
   * @param u32s The struct's `u32` fields, in order.
   * @param f32s The struct's `f32` fields, after the `u32` ones.
   * @returns The dynamic offset of the struct.
   */
  push(u32s: readonly number[], f32s: readonly number[] = []): number {
    if (u32s.length + f32s.length > PARAMS_BYTES / 4) {
      throw new RangeError(
        `Cannot push params as a struct holds at most ${PARAMS_BYTES / 4} words`,
      );
    }
    const offset = this.#used;
    if (offset + this.slotBytes > this.#data.byteLength) {
      throw new RangeError(
        `Cannot push params as the arena holds ${
          this.#data.byteLength / this.slotBytes
        } slots: reset() it with more`,
      );
    }
    const at = offset / 4, u32 = this.#u32, f32 = this.#f32;
    for (let i = 0; i < u32s.length; i++) u32[at + i] = u32s[i];
    for (let i = 0; i < f32s.length; i++) f32[at + u32s.length + i] = f32s[i];
    this.#used += this.slotBytes;
    return offset;
  }

  /** Bytes of the structs pushed since the last `reset()`. */
  get usedBytes(): number {
    return this.#used;
  }

  /** Writes the pushed structs to the GPU (a queue operation, ordered before later submits). */
  upload(): void {
    if (this.#used > 0) {
      this.#gpu.device.queue.writeBuffer(this.buffer, 0, this.#data, 0, this.#used);
    }
  }

  /** Frees the buffer. */
  destroy(): void {
    this.#buffer?.destroy();
    this.#buffer = null;
  }
}

/** Bind groups a kernel keeps for reuse (the buffers of a few shapes and growths). */
const MAX_GROUPS = 256;

/** A number per buffer object, for the bind-group cache keys. */
const _ids = new WeakMap<GPUBuffer, number>();
let _nextId = 0;

function _id(b: GPUBuffer): number {
  let id = _ids.get(b);
  if (id === undefined) _ids.set(b, id = _nextId++);
  return id;
}

/** A compiled kernel: binds buffers and records dispatches. */
export class Kernel {
  readonly name: string;
  readonly gpu: GpuContext;
  readonly #p: KernelPipeline;
  /** Bind groups by their buffers: recordings reuse them as long as no buffer was replaced. */
  readonly #groups = new Map<string, GPUBindGroup>();
  /** The dynamic offset of a dispatch (a typed array: the cheapest way to pass it). */
  readonly #offset = new Uint32Array(1);

  private constructor(gpu: GpuContext, name: string, p: KernelPipeline) {
    this.gpu = gpu;
    this.name = name;
    this.#p = p;
  }

  /**
   * Compiles (or fetches from the cache) the kernel `shaders/<name>.wgsl`.
   *
   * @param gpu The device.
   * @param name Shader file name.
   * @param bindings Binding kinds, binding 0 being the uniform params.
   * @param constants Override constants.
   * @returns The kernel.
   */
  static async load(
    gpu: GpuContext,
    name: string,
    bindings: readonly BindingKind[],
    constants: Record<string, number> = {},
  ): Promise<Kernel> {
    return new Kernel(gpu, name, await kernelPipeline(gpu, name, bindings, constants));
  }

  /**
   * A bind group: binding 0 is the arena (dynamic offset), then `buffers` in binding order. The
   * group of the same buffer objects is made once and reused (a buffer that grows is a new
   * object, so it gets a new group).
   *
   * @param arena The uniform arena of the recording.
   * @param buffers Buffers for bindings 1..n.
   * @returns The bind group.
   */
  bind(arena: UniformArena, buffers: readonly GPUBuffer[]): GPUBindGroup {
    let key = String(_id(arena.buffer));
    for (const b of buffers) key += "," + _id(b);
    const hit = this.#groups.get(key);
    if (hit) return hit;
    const group = this.gpu.device.createBindGroup({
      label: this.name,
      layout: this.#p.layout,
      entries: [
        { binding: 0, resource: { buffer: arena.buffer, size: PARAMS_BYTES } },
        ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
      ],
    });
    // Groups of replaced (destroyed) buffers are never asked for again: drop them all now and
    // then rather than tracking each buffer's life.
    if (this.#groups.size >= MAX_GROUPS) this.#groups.clear();
    this.#groups.set(key, group);
    return group;
  }

  /**
   * Records one dispatch of `x * y` workgroups.
   *
   * @param pass The compute pass.
   * @param group The bind group.
   * @param offset The params' dynamic offset.
   * @param x Workgroups along x.
   * @param y Workgroups along y.
   */
  dispatch(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    offset: number,
    x: number,
    y = 1,
  ): void {
    if (x === 0 || y === 0) return;
    pass.setPipeline(this.#p.pipeline);
    this.#offset[0] = offset;
    pass.setBindGroup(0, group, this.#offset, 0, 1);
    if (y === 1) pass.dispatchWorkgroups(x);
    else pass.dispatchWorkgroups(x, y);
  }

  /**
   * Records a dispatch whose workgroup counts (x, y, z) a kernel wrote into `args`.
   *
   * @param pass The compute pass.
   * @param group The bind group.
   * @param offset The params' dynamic offset.
   * @param args A buffer with INDIRECT usage.
   * @param argsOffset Byte offset of the three u32 counts.
   */
  dispatchIndirect(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    offset: number,
    args: GPUBuffer,
    argsOffset: number,
  ): void {
    pass.setPipeline(this.#p.pipeline);
    this.#offset[0] = offset;
    pass.setBindGroup(0, group, this.#offset, 0, 1);
    pass.dispatchWorkgroupsIndirect(args, argsOffset);
  }

  /**
   * Records a dispatch of `invocations` flat invocations in workgroups of `wg`, folded into a
   * 2-D grid when needed; the shader computes
   * `i = (workgroup_id.y * num_workgroups.x + workgroup_id.x) * WG + local_invocation_index`
   * and returns when `i >= n`.
   *
   * @param pass The compute pass.
   * @param group The bind group.
   * @param offset The params' dynamic offset.
   * @param invocations Invocations needed (the output's element count).
   * @param wg The shader's workgroup size.
   */
  dispatchFlat(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    offset: number,
    invocations: number,
    wg: number,
  ): void {
    const [x, y] = flatGrid(
      invocations,
      wg,
      this.gpu.device.limits.maxComputeWorkgroupsPerDimension,
    );
    this.dispatch(pass, group, offset, x, y);
  }
}

/**
 * The workgroup grid of a flat dispatch.
 *
 * @param invocations Invocations needed.
 * @param wg Workgroup size.
 * @param maxPerDim The device's `maxComputeWorkgroupsPerDimension`.
 * @returns `[x, y]` workgroups with `x * y * wg >= invocations`.
 * @example
 * ```ts
 * import { flatGrid } from "./kernel.ts";
 * const [x, y] = flatGrid(10_000_000, 64, 65535);
 * if (x > 65535 || x * y * 64 < 10_000_000) throw new Error();
 * ```
 */
export function flatGrid(invocations: number, wg: number, maxPerDim: number): [number, number] {
  const groups = Math.ceil(invocations / wg);
  if (groups === 0) return [0, 0];
  const x = Math.min(groups, maxPerDim);
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) {
    throw new RangeError(
      `Cannot dispatch ${invocations} invocations as that needs more than ${maxPerDim}^2 workgroups of ${wg}`,
    );
  }
  return [x, y];
}
