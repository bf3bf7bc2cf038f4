import { openGpu } from "../../src/gpu/device.ts";
import { GpuBackend } from "../../src/gpu/gpu_backend.ts";
import { DEFAULT_TRAIN } from "../../src/model/types.ts";
import { rngFor } from "./_harness.ts";
import { randomPairs, randomSet, SMALL } from "./_pairs.ts";
import { gpuTest } from "./_webgpu.ts";
import assert from "node:assert/strict";

/** Fails instead of hanging when `p` does not settle within 20 s. */
async function settles<T>(p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("GPU work hung instead of failing")), 20_000);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

gpuTest("calls before load() and with bad inputs fail with what to do", async (gpu) => {
  const b = await GpuBackend.create(SMALL, { gpu });
  try {
    await assert.rejects(b.score(new Uint32Array([0])), {
      message: "Cannot score as no features are loaded: call load(features) first",
    });
    const f = randomPairs(rngFor("errors"), 10, SMALL.buckets);
    await b.load(f);
    await assert.rejects(b.score(new Uint32Array([3, 10])), {
      name: "RangeError",
      message: "Cannot score pair 10 as only 10 pairs are loaded",
    });
    const set = randomSet(rngFor("errors"), 10);
    set.labels[4] = 0;
    await assert.rejects(b.trainEpoch(set, set.indices, DEFAULT_TRAIN), {
      name: "RangeError",
      message: "Cannot train on pair 4 as its label must be 1 or -1: current value is 0",
    });
    const bad = { ...f, aIds: f.aIds.map(() => SMALL.buckets) };
    await assert.rejects(b.load(bad), /not below model.buckets \(4096\)/);
    // The backend still works after rejected calls.
    assert.equal((await b.score(new Uint32Array([1, 2]))).rewardA.length, 2);
  } finally {
    b.destroy();
  }
});

gpuTest("a table too large for the bindings fails naming the sizes", async () => {
  const small = await openGpu({ maxStorageBindingBytes: 1 << 20 });
  try {
    await assert.rejects(
      GpuBackend.create({ ...SMALL, buckets: 1 << 16, dim: 32 }, { gpu: small }),
      {
        name: "RangeError",
        message:
          "Cannot fit the embedding table of 65536 x 32 f32 (8388608 bytes) on the GPU as it needs " +
          "8 bindings of at most 1048576 bytes and the kernels bind at most 4: lower model.buckets or " +
          "model.dim, or use a device with a larger maxStorageBufferBindingSize",
      },
    );
    const b = await GpuBackend.create(SMALL, { gpu: small });
    // 6,000 pairs x 2 rows x 24 hidden units of scratch exceed the 1 MiB bindings.
    await b.load(randomPairs(rngFor("big batch"), 6000, SMALL.buckets, 2));
    const set = randomSet(rngFor("big batch"), 6000);
    await assert.rejects(
      b.trainEpoch(set, set.indices, { ...DEFAULT_TRAIN, batchSize: 100_000 }),
      /lower train.batch/,
    );
    b.destroy();
  } finally {
    small.destroy();
  }
});

gpuTest("losing the device rejects pending and later work instead of hanging", async () => {
  const gpu = await openGpu();
  const b = await GpuBackend.create(SMALL, { gpu });
  const f = randomPairs(rngFor("lost"), 200, SMALL.buckets), set = randomSet(rngFor("lost"), 200);
  await b.load(f);
  const pending = b.trainEpoch(set, set.indices, { ...DEFAULT_TRAIN, batchSize: 20 });
  gpu.device.destroy(); // not through the context: the backend sees an unexpected loss
  await assert.rejects(settles(pending), /WebGPU device '.*' was lost/);
  await assert.rejects(settles(b.score(new Uint32Array([0]))), /was lost/);
  b.destroy();
});

gpuTest(
  "a backend refuses work after destroy(), with its own device or a shared one",
  async (gpu) => {
    for (const shared of [undefined, gpu]) {
      const b = await GpuBackend.create(SMALL, { gpu: shared });
      await b.load(randomPairs(rngFor("destroyed"), 5, SMALL.buckets));
      b.destroy();
      await assert.rejects(settles(b.score(new Uint32Array([0]))), {
        message: "Cannot use the WebGPU backend as it was destroyed: create a new one",
      });
    }
    assert.equal(gpu.isLost, false, "destroying a backend must not destroy a shared device");
  },
);
