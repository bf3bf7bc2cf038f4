/**
 * No training path can read gold labels: after `split`, an unlabelled pair's human label is only
 * in `gold`, and the SER training-set builder never touches `gold` outside all-labels mode.
 */
import assert from "node:assert/strict";
import * as split from "../../src/stages/split.ts";
import * as synthetic from "../../src/stages/synthetic.ts";
import { pairRows } from "../../src/data/schema.ts";
import { collectPairs } from "../../src/ser/dataset.ts";
import { buildTrainSet } from "../../src/ser/train_set.ts";
import { runStage, testContext } from "./_ctx.ts";

async function splitPairs() {
  const data = await runStage(synthetic, { pairs: 2000 }, testContext());
  return await runStage(
    split,
    { seed_fraction: 0.1, validation_fraction: 0.05, test_fraction: 0.2 },
    testContext({ stageId: "split" }),
    data,
  );
}

Deno.test("after split no unlabelled row has a label, and only unlabelled rows have gold", async () => {
  const rows = (await splitPairs()).flatMap(pairRows);
  const unlabelled = rows.filter((r) => r.split === "unlabelled");
  assert.ok(unlabelled.length > 1000);
  assert.equal(unlabelled.filter((r) => r.label !== null).length, 0);
  assert.ok(unlabelled.every((r) => r.gold === 1 || r.gold === -1));
  assert.equal(rows.filter((r) => r.split !== "unlabelled" && r.gold !== null).length, 0);
});

for (const mode of ["ser", "seed-only"] as const) {
  Deno.test(`the SER training set (mode ${mode}) is built from 'label' alone: reading 'gold' would throw`, async () => {
    const data = collectPairs(await splitPairs());
    const seedLabels = Array.from(data.seed, (i) => data.label[i]);
    Object.defineProperty(data, "gold", {
      get() {
        throw new Error("gold was read while building a training set");
      },
    });
    const set = buildTrainSet(data, new Map(), mode, { selfWeight: 1, weighting: "constant" });
    assert.deepEqual(Array.from(set.indices), Array.from(data.seed));
    assert.deepEqual(Array.from(set.labels), seedLabels);
  });
}
