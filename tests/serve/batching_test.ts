import assert from "node:assert/strict";
import { MicroBatcher } from "../../src/serve/micro_batcher.ts";
import { planBatch, splitScores } from "../../src/serve/batch_plan.ts";
import { post, toyBatches, trainInto, withRunDir, withServer } from "./_server.ts";
import { pairRows } from "../../src/data/schema.ts";

Deno.test("MicroBatcher gathers concurrent jobs up to maxBatch rows and answers each in order", async () => {
  const batches: number[][] = [];
  const b = new MicroBatcher<number[], number[]>(
    { maxBatch: 10, maxWaitMs: 20 },
    async (jobs) => {
      batches.push(jobs.map((j) => j.length));
      await new Promise((r) => setTimeout(r, 5));
      return jobs.map((j) => j.map((x) => x * 10));
    },
    (j) => j.length,
  );
  const jobs = [[1, 2, 3], [4], [5, 6, 7, 8], [9, 10], [11], [
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
  ]];
  const out = await Promise.all(jobs.map((j) => b.submit(j)));
  assert.deepEqual(out, jobs.map((j) => j.map((x) => x * 10)));
  assert.deepEqual(batches, [[3, 1, 4, 2], [1], [11]], "filled to 10 rows, the big job alone");
  await b.drained();
});

Deno.test("MicroBatcher fails every job of a failing batch and keeps serving", async () => {
  let calls = 0;
  const b = new MicroBatcher<number, number>({ maxBatch: 4, maxWaitMs: 1 }, (jobs) => {
    if (calls++ === 0) return Promise.reject(new Error("boom"));
    return Promise.resolve(jobs);
  }, () => 1);
  const first = await Promise.allSettled([b.submit(1), b.submit(2)]);
  assert.deepEqual(first.map((r) => r.status), ["rejected", "rejected"]);
  assert.equal(await b.submit(3), 3);
});

Deno.test("planBatch packs responses to the same prompt into one pair and splitScores undoes it", () => {
  const jobs = [
    { prompts: ["p", "q", "p"], a: ["x", "y", "z"] },
    { prompts: ["q"], a: ["w"] },
    { prompts: ["p"], a: ["u"], b: ["v"] },
  ];
  const plan = planBatch(jobs);
  assert.deepEqual(plan.pairs, {
    prompts: ["p", "q", "p"],
    a: ["x", "y", "u"],
    b: ["z", "w", "v"],
  });
  const scores = { rewardA: new Float32Array([1, 2, 3]), rewardB: new Float32Array([4, 5, 6]) };
  const out = splitScores(plan, scores, jobs);
  assert.deepEqual(Array.from(out[0].a), [1, 2, 4]);
  assert.deepEqual(Array.from(out[1].a), [5]);
  assert.deepEqual([Array.from(out[2].a), Array.from(out[2].b!)], [[3], [6]]);
});

Deno.test("64 concurrent requests are batched together and each gets its own rewards in order", () =>
  withRunDir(async (dir) => {
    await trainInto(dir);
    const rows = pairRows(toyBatches()[0]);
    await withServer(dir, { maxBatch: 256, maxWaitMs: 5 }, async (s) => {
      const single = await post(`${s.url}/v1/rewards`, {
        items: rows.map((r) => ({ prompt: r.prompt, response: r.response_a })),
      });
      const want = single.json.rewards as number[];
      const requests = Array.from({ length: 64 }, (_, k) => {
        const idx = Array.from({ length: 1 + (k % 5) }, (_, j) => (k * 7 + j * 13) % rows.length);
        return {
          idx,
          items: idx.map((i) => ({ prompt: rows[i].prompt, response: rows[i].response_a })),
        };
      });
      const answers = await Promise.all(
        requests.map((r) => post(`${s.url}/v1/rewards`, { items: r.items })),
      );
      answers.forEach((a, k) => {
        assert.equal(a.status, 200);
        assert.deepEqual(a.json.rewards, requests[k].idx.map((i) => want[i]), `request ${k}`);
      });
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      const batches = Number(/serflow_serve_batch_requests_count (\d+)/.exec(metrics)![1]);
      assert.ok(batches < 1 + 64, `65 requests in ${batches} batches: some were gathered`);
    });
  }));
