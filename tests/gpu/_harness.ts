/**
 * Kernel-test plumbing: storage buffers made from arrays (outputs pre-filled with a NaN sentinel
 * so unwritten elements show), one-dispatch runs, readback, random data and tolerance checks.
 *
 * @module
 */
import { readBack, storageBuffer, upload } from "../../src/gpu/buffers.ts";
import type { GpuContext } from "../../src/gpu/device.ts";
import { UniformArena } from "../../src/gpu/kernel.ts";
import { Rng } from "../../src/contracts/rng.ts";

/** A buffer holding `data`. */
export function bufferOf(gpu: GpuContext, data: Float32Array | Uint32Array): GPUBuffer {
  const b = storageBuffer(gpu, "test", Math.max(4, data.byteLength));
  upload(gpu, b, data);
  return b;
}

/** An output buffer of `n` floats, filled with a sentinel (NaN unless NaN is an expected output). */
export function sentinel(gpu: GpuContext, n: number, value = NaN): GPUBuffer {
  return bufferOf(gpu, new Float32Array(Math.max(1, n)).fill(value));
}

/**
 * Binds and records one or more dispatches in one pass, submits, and reads `outputs` back.
 *
 * @param gpu The device.
 * @param record Binds with the arena and records the dispatches.
 * @param outputs Buffers to read.
 * @returns Their contents.
 */
export async function run(
  gpu: GpuContext,
  record: (arena: UniformArena, pass: GPUComputePassEncoder) => void,
  outputs: GPUBuffer[],
): Promise<Float32Array[]> {
  const arena = new UniformArena(gpu);
  arena.reset(16);
  const encoder = gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  record(arena, pass);
  pass.end();
  arena.upload();
  const out = await readBack(gpu, outputs.map((buffer) => ({ buffer })), encoder);
  arena.destroy();
  return out;
}

/** `n` floats uniform in [-scale, scale). */
export function randoms(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * scale);
}

/**
 * Asserts `|actual - expected| <= atol + rtol |expected|` element-wise over `expected`'s length
 * (NaN anywhere fails), naming the first bad index.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  atol = 1e-5,
  rtol = 1e-3,
): void {
  if (actual.length < expected.length) {
    throw new Error(`${what}: got ${actual.length} values, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${what}[${i}] = ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** A fresh generator seeded from the test's name, so each test draws its own inputs. */
export function rngFor(name: string): Rng {
  let h = 7;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return new Rng(h >>> 0);
}
