import assert from "node:assert/strict";
import { Float32, vectorFromArray } from "apache-arrow";
import * as select from "../../src/stages/select.ts";
import { pairBatch, type PairRow, withColumns } from "../../src/data/schema.ts";
import { runStage, testContext } from "./_ctx.ts";

const row = (id: string, split: PairRow["split"], label: 1 | -1 | null): PairRow => ({
  pair_id: id,
  group_id: id,
  prompt: "p",
  response_a: "a",
  response_b: "b",
  label,
  split,
  gold: null,
  source: "t",
});

function scored(rows: PairRow[], ra: number[], rb: number[]) {
  return withColumns(pairBatch(rows), {
    reward_a: vectorFromArray(ra, new Float32()),
    reward_b: vectorFromArray(rb, new Float32()),
  });
}

Deno.test("select stage keeps confident unlabelled rows and labels them with the preferred side", async () => {
  const b1 = scored(
    [row("u1", "unlabelled", null), row("u2", "unlabelled", null), row("s1", "seed", 1)],
    [2, -2, 5],
    [-2, 2, -5],
  );
  const b2 = scored([row("u3", "unlabelled", null)], [0.1], [0]);
  const out = await runStage(select, { policy: "either" }, testContext(), [b1, b2]);
  assert.equal(out.length, 1); // nothing confident in b2; the labelled seed row is not a candidate
  const b = out[0];
  assert.deepEqual(b.getChild("pair_id")!.toArray(), ["u1", "u2"]);
  assert.deepEqual([...b.getChild("label")!.toArray()], [1, -1]);
  assert.deepEqual([...b.getChild("swapped")!], [false, true]);
  assert.deepEqual([...b.getChild("rule")!], ["status1", "status1"]);
  assert.deepEqual([...b.getChild("origin")!], ["self", "self"]);
  assert.deepEqual([...b.getChild("margin")!.toArray()], [4, 4]);
});

Deno.test("select stage calibrated fits T on the validation rows before thresholding", async () => {
  // Validation pairs where the rewards are far too confident (half of them wrong): T is large,
  // so the unlabelled pair with a reward gap of 2 is no longer confident.
  const val = [1, 2, 3, 4].map((i) => row(`v${i}`, "validation", i % 2 ? 1 : -1));
  const b = scored([...val, row("u", "unlabelled", null)], [3, 3, 3, 3, 1], [-3, -3, -3, -3, -1]);
  const plain = await runStage(select, { policy: "either" }, testContext(), [b]);
  assert.equal(plain[0].numRows, 1);
  const cal = await runStage(select, { policy: "calibrated" }, testContext(), [b]);
  assert.equal(cal.length, 0);
});

Deno.test("select stage fails with a clear message on unscored input", async () => {
  await assert.rejects(
    () => runStage(select, {}, testContext({ stageId: "pick" }), [pairBatch([row("u", "", null)])]),
    new TypeError(
      "Cannot select pairs in stage 'pick' as batch 0 has no 'reward_a'/'reward_b' columns: put a 'score' stage before it",
    ),
  );
});
