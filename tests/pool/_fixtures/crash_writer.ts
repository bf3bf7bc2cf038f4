/**
 * Child process of the crash test: commits iterations 0 and 1 to the pool at `Deno.args[0]`, then
 * opens iteration 2's transaction, writes many new pairs (several batches, one bulk write), many
 * labels and a record, prints "in-transaction" and waits to be killed.
 */
import { Pool } from "../../../src/pool/pool.ts";
import { pairBatch } from "../../../src/data/schema.ts";

const N = Number(Deno.args[1] ?? 50_000);
const pool = await Pool.open(Deno.args[0]);
await pool.startRun({ runId: "crash-run", pipeline: "crash" });
const ids = Array.from({ length: N }, (_, i) => `c${i}`);
await pool.transaction(async (tx) => {
  await tx.insertPairs(pairBatch(
    ids.slice(0, 100).map((id, i) => ({
      pair_id: id,
      group_id: "g",
      prompt: `q${i}`,
      response_a: "a",
      response_b: "b",
      label: i < 10 ? 1 : null,
      split: i < 10 ? "seed" : "unlabelled",
      gold: i < 10 ? null : 1,
      source: "crash",
    })),
  ));
  await tx.appendLabels({
    pairId: ids.slice(0, 10),
    label: new Array(10).fill(1),
    origin: "human",
    iteration: 0,
    rule: "seed",
  });
  await tx.recordIteration({ iteration: 0, status: "seed", selected: 0, poolSize: 10 });
});
await pool.transaction(async (tx) => {
  await tx.appendLabels({
    pairId: ids.slice(10, 40),
    label: new Array(30).fill(-1),
    origin: "self",
    iteration: 1,
    rule: "status1",
  });
  await tx.recordIteration({ iteration: 1, status: "status1", selected: 30, poolSize: 40 });
});
console.log("committed");
await pool.transaction(async (tx) => {
  const batches = [0, 1, 2].map((b) =>
    pairBatch(Array.from({ length: 2000 }, (_, i) => ({
      pair_id: `n${b}-${i}`,
      group_id: "g",
      prompt: `new question ${i}`,
      response_a: "a",
      response_b: "b",
      label: null,
      split: "unlabelled",
      gold: 1,
      source: "crash",
    })))
  );
  await tx.insertPairs(batches);
  await tx.appendLabels({
    pairId: ids,
    label: new Int8Array(N).fill(1),
    origin: "self",
    iteration: 2,
    rule: "status2",
    pA: new Float32Array(N).fill(0.9),
    pB: new Float32Array(N).fill(0.1),
  });
  await tx.recordIteration({ iteration: 2, status: "status2", selected: N, poolSize: N });
  await tx.recordModel({ modelId: "m2", iteration: 2, checkpoint: "checkpoints/iter-2.ckpt" });
  console.log("in-transaction");
  await new Promise(() => setInterval(() => {}, 1000)); // killed here
});
