import { ThreadCpuClock } from "../../src/util/thread_cpu.ts";
import { hostCpuMsPerStep } from "../../src/gpu/timeline.ts";
import { GpuBackend } from "../../src/gpu/gpu_backend.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { DEFAULT_TRAIN, type RewardBackend } from "../../src/model/types.ts";
import { rngFor } from "./_harness.ts";
import { paramsIdentical, randomPairs, randomSet, SMALL } from "./_pairs.ts";
import { gpuTest } from "./_webgpu.ts";
import assert from "node:assert/strict";

const OPTS = { ...DEFAULT_TRAIN, batchSize: 16, lr: 0.05 };

/** snapshot() / restore() and trainEpoch's scoreAfter, the same on every backend. */
async function checkSnapshot(b: RewardBackend): Promise<void> {
  const rng = rngFor("snapshot"),
    f = randomPairs(rng, 80, SMALL.buckets),
    set = randomSet(rng, f.n);
  await b.load(f);
  await assert.rejects(b.restore(), {
    message: "Cannot restore the weights as no snapshot() was taken",
  });
  await b.trainEpoch(set, set.indices, OPTS);
  await b.snapshot();
  const kept = await b.getParams();
  const val = Uint32Array.from({ length: 30 }, (_, i) => (i * 7) % f.n);
  const r = await b.trainEpoch(set, rng.shuffle(set.indices.slice()), OPTS, val);
  // The rewards that came back with the epoch are the ones score() gives afterwards.
  const s = await b.score(val);
  assert.deepEqual(r.scores, s);
  assert.equal(typeof r.loss, "number");
  const moved = await b.getParams();
  assert.ok(!paramsIdentical(moved.params, kept.params), "the second epoch should move weights");
  await b.restore();
  const back = await b.getParams();
  assert.ok(paramsIdentical(back.params, kept.params), "restore() did not bring the weights back");
  assert.ok(paramsIdentical(back.optimizer.m, kept.optimizer.m), "first moments differ");
  assert.ok(paramsIdentical(back.optimizer.v, kept.optimizer.v), "second moments differ");
  assert.equal(back.optimizer.step, kept.optimizer.step);
  // Restoring twice is allowed (the snapshot stays), and training goes on from it.
  await b.restore();
  await b.trainEpoch(set, set.indices, OPTS);
  assert.equal((await b.getParams()).optimizer.step, kept.optimizer.step + 5);
}

Deno.test("CpuBackend: snapshot() / restore() bring back weights and AdamW state", async () => {
  await checkSnapshot(CpuBackend.create(SMALL));
});

gpuTest(
  "GpuBackend: snapshot() / restore() bring back weights and AdamW state without a readback",
  async (gpu) => {
    const b = await GpuBackend.create(SMALL, { gpu });
    try {
      await checkSnapshot(b);
    } finally {
      b.destroy();
    }
  },
);

gpuTest(
  "an epoch with validation rewards is one readback, and matches a separate score()",
  async (gpu) => {
    const b = await GpuBackend.create(SMALL, { gpu });
    try {
      const rng = rngFor("one readback"), f = randomPairs(rng, 60, SMALL.buckets);
      const set = randomSet(rng, f.n), val = Uint32Array.from({ length: 25 }, (_, i) => i + 30);
      await b.load(f);
      const r = await b.trainEpoch(set, set.indices, OPTS, val);
      const c = b.lastCost!;
      assert.equal(c.readbacks, 1);
      // The loss totals, the GPU-built lists' 4 counts, and the rewards: in the same map.
      assert.equal(c.readbackBytes, 8 + 16 + 8 * val.length);
      assert.ok(c.kernels["mlp_forward"].flops > 0);
      assert.deepEqual(r.scores, await b.score(val));
    } finally {
      b.destroy();
    }
  },
);

gpuTest("a traced epoch times each segment on the device, within the one readback", async () => {
  const b = await GpuBackend.create(SMALL, { timestamps: true });
  try {
    const rng = rngFor("trace"), f = randomPairs(rng, 70, SMALL.buckets), set = randomSet(rng, f.n);
    await b.load(f);
    b.trace = true;
    await b.trainEpoch(set, set.indices, { ...OPTS, batchSize: 10 });
    assert.equal(b.lastCost!.readbacks, 1);
    const t = b.lastTimeline;
    assert.equal(t.length, 3); // 7 steps: segments of 1, 2 and 4
    let prev = -Infinity;
    for (const s of t) {
      assert.ok(s.deviceStart !== undefined && s.deviceDone !== undefined, "no device times");
      assert.ok(s.deviceStart >= s.submitEnd - 1e-6, "the device started before the submit");
      assert.ok(s.deviceDone >= s.deviceStart && s.deviceStart >= prev - 1e-6);
      prev = s.deviceDone;
    }
    // Where the thread's CPU clock reads (Linux), each span's CPU time too, summed per epoch.
    const clock = ThreadCpuClock.open();
    if (clock) {
      clock.close();
      for (const s of t) {
        assert.ok(s.cpu && Object.values(s.cpu).every((ms) => ms >= 0), "no CPU times");
        // CPU time within a span cannot exceed its wall time (one thread).
        assert.ok(s.cpu.upload + s.cpu.encode + s.cpu.finish <= s.recordEnd - s.waitEnd + 0.01);
      }
      const cpu = b.lastCost!.host!.cpu!;
      assert.ok(Math.abs(cpu.encode - t.reduce((a, s) => a + s.cpu!.encode, 0)) < 1e-9);
      assert.ok(hostCpuMsPerStep(b.lastCost!.host!)! > 0);
    }
  } finally {
    b.destroy();
  }
});
