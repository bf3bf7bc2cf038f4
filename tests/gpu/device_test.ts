import { GpuContext, openGpu, REQUESTED_LIMITS } from "../../src/gpu/device.ts";
import { flatGrid, Kernel, UniformArena } from "../../src/gpu/kernel.ts";
import { gpuTest } from "./_webgpu.ts";
import assert from "node:assert/strict";

gpuTest("openGpu() requests the adapter's limits and logs its name", async () => {
  const lines: [string, Record<string, unknown> | undefined][] = [];
  const log = {
    debug() {},
    info: (m: string, f?: Record<string, unknown>) => lines.push([m, f]),
    warn() {},
    error() {},
  };
  const gpu = await openGpu({ log });
  try {
    const adapter = (await navigator.gpu.requestAdapter())!;
    for (const key of REQUESTED_LIMITS) {
      assert.equal(gpu.device.limits[key], adapter.limits[key], key);
    }
    assert.equal(gpu.adapterName, adapter.info.description);
    assert.deepEqual(lines.map(([m, f]) => [m, f?.adapter]), [["WebGPU adapter", gpu.adapterName]]);
  } finally {
    gpu.destroy();
  }
});

gpuTest("a WGSL compile error surfaces with the shader's name", async (gpu) => {
  await assert.rejects(
    gpu.validated(
      "compile WGSL shader 'broken'",
      () => gpu.device.createShaderModule({ code: "fn main( {" }),
    ),
    /^Error: Cannot compile WGSL shader 'broken' on '.*': .*expected/s,
  );
  // The device stays usable after a validation error.
  assert.equal(
    await gpu.validated(
      "create a buffer",
      () => gpu.device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE }).size,
    ),
    4,
  );
});

gpuTest("the storage binding cap is the smaller of the option and the device limits", async () => {
  const gpu = await openGpu({ maxStorageBindingBytes: 4096 });
  try {
    assert.equal(gpu.maxBindingBytes, 4096);
    const wide = new GpuContext(gpu.device, "same device");
    assert.equal(
      wide.maxBindingBytes,
      Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize),
    );
  } finally {
    gpu.destroy();
  }
});

gpuTest(
  "the uniform arena packs u32 then f32 fields into aligned slots and refuses overflow",
  (gpu) => {
    const arena = new UniformArena(gpu);
    arena.reset(2);
    assert.equal(arena.push([1, 2], [0.5]), 0);
    assert.equal(arena.push([3]), arena.slotBytes);
    assert.ok(arena.slotBytes % gpu.device.limits.minUniformBufferOffsetAlignment === 0);
    assert.throws(() => arena.push([4]), /holds 2 slots/);
    assert.throws(() => arena.push(new Array(17).fill(0)), /at most 16 words/);
    arena.destroy();
    return Promise.resolve();
  },
);

gpuTest(
  "a kernel reuses the bind group of the same buffers and makes a new one for others",
  async (gpu) => {
    const k = await Kernel.load(gpu, "scan_tiles", ["uniform", "write"]);
    const arena = new UniformArena(gpu);
    const usage = GPUBufferUsage.STORAGE;
    const [a, b] = [
      gpu.device.createBuffer({ size: 64, usage }),
      gpu.device.createBuffer({ size: 64, usage }),
    ];
    try {
      arena.reset(1);
      const g = k.bind(arena, [a]);
      assert.equal(k.bind(arena, [a]), g);
      assert.notEqual(k.bind(arena, [b]), g);
      // A grown arena is a new uniform buffer: its groups are new too.
      arena.reset(1 << 12);
      assert.notEqual(k.bind(arena, [a]), g);
      assert.equal(k.bind(arena, [a]), k.bind(arena, [a]));
    } finally {
      a.destroy();
      b.destroy();
      arena.destroy();
    }
  },
);

Deno.test("flatGrid() folds large dispatches into 2-D grids that cover every invocation", () => {
  assert.deepEqual(flatGrid(0, 64, 65535), [0, 0]);
  assert.deepEqual(flatGrid(100, 64, 65535), [2, 1]);
  const [x, y] = flatGrid(65535 * 64 + 1, 64, 65535);
  assert.deepEqual([x, y], [65535, 2]);
  assert.throws(() => flatGrid(65535 * 65535 * 64 + 1, 64, 65535), RangeError);
});
