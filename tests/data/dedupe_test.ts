import assert from "node:assert/strict";
import * as dedupe from "../../src/stages/dedupe.ts";
import { pairBatch, type PairRow, pairRows } from "../../src/data/schema.ts";
import { pairId } from "../../src/data/hash.ts";
import { DedupeState } from "../../src/data/dedupe_state.ts";
import { runStage, testContext } from "./_ctx.ts";

const row = (prompt: string, a: string, b: string, label: 1 | -1): PairRow => ({
  pair_id: pairId(prompt, a, b),
  group_id: prompt,
  prompt,
  response_a: a,
  response_b: b,
  label,
  split: "",
  gold: null,
  source: `${prompt}/${a}`,
});

Deno.test("dedupe keeps the first copy of each pair_id across batches and counts the rest", async () => {
  const ctx = testContext({ stageId: "dedupe" });
  const out = await runStage(dedupe, {}, ctx, [
    pairBatch([row("p", "x", "y", 1), row("q", "x", "y", 1)]),
    pairBatch([row("p", "x", "y", 1), row("p", "y", "x", -1)]), // exact copy; same pair shown swapped
    pairBatch([row("q", "x", "y", 1)]), // every row a duplicate: the batch disappears
    pairBatch([row("r", "x", "y", -1), row("p", "x", "y", -1)]), // last one: a copy with the other label
  ]);
  assert.deepEqual(out.map((b) => b.numRows), [2, 1]);
  assert.deepEqual(out.flatMap(pairRows).map((r) => r.source), ["p/x", "q/x", "r/x"]);
  const info = ctx.logs.find((l) => l.msg.startsWith("dedupe:"))!;
  assert.equal(info.msg, "dedupe: 7 rows in, kept 3, duplicates 4 (conflicting labels 1)");
});

Deno.test("dedupe passes a batch with no duplicates through unchanged", async () => {
  const b = pairBatch([row("p", "x", "y", 1), row("q", "x", "y", 1)]);
  const out = await runStage(dedupe, {}, testContext(), [b]);
  assert.equal(out[0], b);
});

Deno.test("DedupeState remembers every id through table growth, hex pair ids and other strings alike", () => {
  const d = new DedupeState();
  const ids = Array.from({ length: 50_000 }, (_, i) => pairId(`p${i}`, "x", "y"));
  for (const id of ids) assert.equal(d.add(id, 1), true);
  for (let i = 0; i < 50_000; i += 7) assert.equal(d.add(ids[i], 1), false);
  assert.equal(d.add("not-a-hex-id", 0), true);
  assert.equal(d.add("not-a-hex-id", 0), false);
  assert.deepEqual([d.size, d.duplicates, d.conflicting], [50_001, Math.ceil(50_000 / 7) + 1, 0]);
});
