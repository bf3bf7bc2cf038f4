import assert from "node:assert/strict";
import { join } from "node:path";
import { Rng } from "../../src/contracts/rng.ts";
import { RunCompute } from "../../src/compute/run_compute.ts";
import { pairBatch, type PairRow } from "../../src/data/schema.ts";
import { saveCheckpoint } from "../../src/model/checkpoint.ts";
import { DEFAULT_FEATURIZER } from "../../src/model/featurizer.ts";
import { initParams } from "../../src/model/params.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";
import { HAS_ADAPTER } from "../gpu/_webgpu.ts";
import { randomPairs, SMALL } from "../gpu/_pairs.ts";

const MODEL = { ...DEFAULT_MODEL, buckets: 64, dim: 4, hidden: 6 };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function rows(n: number, tag: string): PairRow[] {
  return Array.from({ length: n }, (_, i) => ({
    pair_id: `${tag}${i}`,
    group_id: "g",
    prompt: `question ${i % 3}`,
    response_a: `answer ${tag} ${i} words here`,
    response_b: `other ${i * 7} reply`,
    label: null,
    split: "",
    gold: null,
    source: "t",
  }));
}

async function checkpoint(dir: string): Promise<string> {
  const path = join(dir, "m.ckpt");
  await saveCheckpoint(path, {
    model: MODEL,
    featurizer: { ...DEFAULT_FEATURIZER, buckets: MODEL.buckets },
    params: initParams(MODEL, new Rng(4)),
    metadata: { createdAt: "2026-01-01T00:00:00.000Z", iteration: 0, dataHash: "", metrics: {} },
  });
  return path;
}

Deno.test("a run's compute loads each checkpoint once and shares it; concurrent scoring matches sequential", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = await checkpoint(dir);
    const compute = await RunCompute.open("cpu", quiet);
    const [s1, s2] = await Promise.all([compute.scorer(file), compute.scorer(file)]);
    assert.equal(s1, s2, "score and evaluate get the same loaded model");
    const a = pairBatch(rows(7, "a")), b = pairBatch(rows(5, "b"));
    const together = await Promise.all([s1.scoreBatch(a, 3), s2.scoreBatch(b), s1.scoreBatch(a)]);
    const alone = await RunCompute.open("cpu", quiet);
    const s3 = await alone.scorer(file);
    assert.notEqual(s3, s1);
    assert.deepEqual(together[0], await s3.scoreBatch(a));
    assert.deepEqual(together[1], await s3.scoreBatch(b));
    assert.deepEqual(together[2], together[0]);
    await compute.close();
    await alone.close();
    await assert.rejects(() => compute.backend(MODEL), /compute is closed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("closing the run's compute frees the backends still open, not those already freed", async () => {
  const compute = await RunCompute.open("cpu", quiet);
  const kept = await compute.backend(MODEL), freed = await compute.backend(MODEL);
  let calls = 0;
  const orig = kept.destroy;
  kept.destroy = () => {
    calls++;
    orig();
  };
  const f = randomPairs(new Rng(2), 4, MODEL.buckets);
  await kept.load(f);
  freed.destroy();
  await compute.close();
  assert.equal(calls, 1);
});

Deno.test({
  name: "on WebGPU every backend of a run shares one device, which outlives each backend",
  ignore: !HAS_ADAPTER,
  fn: async () => {
    const compute = await RunCompute.open("webgpu", quiet);
    assert.equal(compute.kind, "webgpu");
    const a = await compute.backend(SMALL), b = await compute.backend(SMALL);
    assert.equal(a.deviceName, compute.deviceName);
    assert.equal(b.deviceName, compute.deviceName);
    const f = randomPairs(new Rng(3), 9, SMALL.buckets);
    await a.load(f);
    await b.load(f);
    await a.setParams(initParams(SMALL, new Rng(5)));
    await b.setParams(initParams(SMALL, new Rng(5)));
    const idx = Uint32Array.from({ length: 9 }, (_, i) => i);
    const before = await b.score(idx);
    a.destroy();
    assert.deepEqual(await b.score(idx), before, "b still works after a is freed");
    await compute.close();
    await assert.rejects(() => b.score(idx));
  },
});
