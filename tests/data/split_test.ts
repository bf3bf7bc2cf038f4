import assert from "node:assert/strict";
import * as split from "../../src/stages/split.ts";
import { pairBatch, type PairRow, pairRows } from "../../src/data/schema.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { runStage, testContext } from "./_ctx.ts";

/** `groups` prompt groups of 1..maxSize labelled pairs each, in batches of 100 rows. */
function groupedRows(groups: number, maxSize: number, seed = 1): PairRow[] {
  const rng = new Rng(seed);
  const rows: PairRow[] = [];
  for (let g = 0; g < groups; g++) {
    const size = 1 + rng.int(maxSize);
    for (let k = 0; k < size; k++) {
      rows.push({
        pair_id: `g${g}-p${k}`,
        group_id: `g${g}`,
        prompt: `prompt ${g}`,
        response_a: `a${k}`,
        response_b: `b${k}`,
        label: rng.next() < 0.5 ? 1 : -1,
        split: "",
        gold: null,
        source: `t:${rows.length + 1}`,
      });
    }
  }
  return rows;
}

const batchesOf = (rows: PairRow[], size = 100) =>
  Array.from(
    { length: Math.ceil(rows.length / size) },
    (_, i) => pairBatch(rows.slice(i * size, (i + 1) * size)),
  );

const FRACTIONS = { seed_fraction: 0.1, validation_fraction: 0.05, test_fraction: 0.2 };

Deno.test("split puts each prompt group in one split and each split within one group's size of its target", async () => {
  const input = groupedRows(600, 6);
  const out =
    (await runStage(split, FRACTIONS, testContext({ stageId: "split" }), batchesOf(input))).flatMap(
      pairRows,
    );
  assert.equal(out.length, input.length);
  const splitOf = new Map<string, Set<string>>();
  for (const r of out) {
    if (!splitOf.has(r.group_id)) splitOf.set(r.group_id, new Set());
    splitOf.get(r.group_id)!.add(r.split);
  }
  for (const [g, s] of splitOf) assert.equal(s.size, 1, `group ${g} is in ${[...s].join(" and ")}`);
  const count = (s: string) => out.filter((r) => r.split === s).length;
  for (const [s, f] of [["seed", 0.1], ["validation", 0.05], ["test", 0.2]] as const) {
    const target = Math.round(f * input.length);
    assert.ok(
      count(s) <= target && count(s) > target - 6,
      `${s}: ${count(s)} rows for target ${target}`,
    );
  }
});

Deno.test("split moves unlabelled labels to gold; seed, validation and test keep label with gold null", async () => {
  const input = groupedRows(300, 3);
  const labelOf = new Map(input.map((r) => [r.pair_id, r.label]));
  const out = (await runStage(split, FRACTIONS, testContext(), batchesOf(input))).flatMap(pairRows);
  for (const r of out) {
    if (r.split === "unlabelled") {
      assert.equal(r.label, null);
      assert.equal(r.gold, labelOf.get(r.pair_id));
    } else {
      assert.equal(r.label, labelOf.get(r.pair_id));
      assert.equal(r.gold, null);
    }
  }
  assert.ok(out.some((r) => r.split === "unlabelled"));
});

Deno.test("split is deterministic for a seed, independent of batch boundaries, and changes with the seed", async () => {
  const input = groupedRows(300, 4);
  const assign = async (withBlock: Record<string, unknown>, size: number) =>
    (await runStage(split, { ...FRACTIONS, ...withBlock }, testContext(), batchesOf(input, size)))
      .flatMap(pairRows).map((r) => r.split).join();
  const a = await assign({}, 100);
  assert.equal(await assign({}, 100), a);
  assert.equal(await assign({}, 37), a);
  assert.equal(await assign({ seed: 5 }, 100), await assign({ seed: 5 }, 50));
  assert.notEqual(await assign({ seed: 5 }, 100), a);
});

Deno.test("split with group_by: none hits the fractions exactly", async () => {
  const input = groupedRows(200, 5);
  const out =
    (await runStage(split, { ...FRACTIONS, group_by: "none" }, testContext(), batchesOf(input)))
      .flatMap(pairRows);
  assert.equal(out.filter((r) => r.split === "test").length, Math.round(0.2 * input.length));
  assert.equal(out.filter((r) => r.split === "seed").length, Math.round(0.1 * input.length));
});

Deno.test("split sends rows without a label to unlabelled, dropping (and counting) those of held-out groups", async () => {
  const input = groupedRows(200, 3);
  // An unlabelled tie in every group.
  const ties = [...new Set(input.map((r) => r.group_id))].map((g): PairRow => ({
    ...input.find((r) => r.group_id === g)!,
    pair_id: `${g}-tie`,
    label: null,
  }));
  const ctx = testContext();
  const out = (await runStage(split, FRACTIONS, ctx, batchesOf([...input, ...ties]))).flatMap(
    pairRows,
  );
  const kept = out.filter((r) => r.pair_id.endsWith("-tie"));
  assert.ok(kept.length > 0 && kept.every((r) => r.split === "unlabelled" && r.gold === null));
  const heldGroups = new Set(out.filter((r) => r.split !== "unlabelled").map((r) => r.group_id));
  assert.equal(kept.length + heldGroups.size, ties.length);
  const info = ctx.logs.find((l) => l.msg.startsWith("split "))!;
  assert.equal(info.fields?.dropped, heldGroups.size);
  // Fractions count labelled rows only.
  const target = Math.round(0.2 * input.length);
  const test = out.filter((r) => r.split === "test").length;
  assert.ok(test <= target && test > target - 3);
});

Deno.test("split refuses fractions that sum above 1", async () => {
  await assert.rejects(
    () =>
      runStage(
        split,
        { seed_fraction: 0.5, validation_fraction: 0.3, test_fraction: 0.3 },
        testContext(),
        batchesOf(groupedRows(10, 2)),
      ),
    new RangeError(
      "Cannot split as seed_fraction + validation_fraction + test_fraction must be at most 1: current sum is 1.1",
    ),
  );
});
