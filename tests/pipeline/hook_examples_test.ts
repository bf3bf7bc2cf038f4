import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { runPipeline } from "../../src/pipeline/run.ts";
import { Pool } from "../../src/pool/pool.ts";
import { testStage } from "../../src/kit/test_stage.ts";
import * as cap from "../../pipelines/examples/stages/cap_per_group.ts";
import * as refusals from "../../pipelines/examples/stages/no_double_refusals.ts";

const example = (name: string) =>
  fileURLToPath(new URL(`../../pipelines/examples/${name}`, import.meta.url));
const SMALL = ["backend=cpu", "stages.data.with.pairs=1500"];

async function poolRows(runDir: string, sql: string) {
  const pool = await Pool.open(join(runDir, "pool.duckdb"), { readOnly: true });
  try {
    return (await pool.query(sql)).rows;
  } finally {
    await pool.close();
  }
}

Deno.test("the on_selected example runs: its stages drop self-labels and the pool says which", async () => {
  const p = await loadPipeline(example("on_selected.yaml"), {
    sets: [...SMALL, "stages.evolve.with.stop.max_iterations=2"],
  });
  const runDir = join(await Deno.makeTempDir({ prefix: "serflow-hooks-ex-" }), "run");
  assert.equal((await runPipeline(p, { runDir, quiet: true })).status, "completed");
  const metrics = JSON.parse(await Deno.readTextFile(join(runDir, "metrics.json")));
  const dropped = metrics.iterations.slice(1).reduce(
    (n: number, r: { onSelected: { dropped: number } }) => n + r.onSelected.dropped,
    0,
  );
  assert.ok(dropped > 0);
  const rules = await poolRows(
    runDir,
    "SELECT rule, count(*) FROM labels WHERE label IS NULL AND origin = 'self' GROUP BY ALL ORDER BY 1",
  );
  assert.deepEqual(rules.map((r) => r[0]).filter((r) => r !== "withdrawn"), [
    "cap_per_group",
    "confident",
  ]);
  // At most one self-label per prompt group and iteration, all with margin > 0.5.
  const worst = await poolRows(
    runDir,
    `SELECT max(n), min(m) FROM (SELECT p.group_id, l.iteration, count(*) n, min(l.margin) m
       FROM labels l JOIN pairs p USING (pair_id) WHERE l.origin = 'self' AND l.label IS NOT NULL
       GROUP BY ALL)`,
  );
  assert.ok(Number(worst[0][0]) <= 1 && Number(worst[0][1]) > 0.5);
});

Deno.test("the on_iteration example runs: one file per round, and it stops the loop early", async () => {
  const p = await loadPipeline(example("on_iteration.yaml"), {
    sets: [
      ...SMALL,
      "stages.evolve.with.on_iteration=[{ use: ./stages/log_rounds.ts, with: { stop_at: 0.5 } }]",
    ],
  });
  const runDir = join(await Deno.makeTempDir({ prefix: "serflow-hooks-ex-" }), "run");
  assert.equal((await runPipeline(p, { runDir, quiet: true })).status, "completed");
  const metrics = JSON.parse(await Deno.readTextFile(join(runDir, "metrics.json")));
  assert.equal(metrics.stopReason, "on_iteration:log_rounds");
  const rounds = [...Deno.readDirSync(join(runDir, "rounds"))].map((e) => e.name).sort();
  assert.deepEqual(
    rounds,
    metrics.iterations.map((r: { iteration: number }) => `round-${r.iteration}.json`),
  );
  const last = JSON.parse(await Deno.readTextFile(join(runDir, "rounds", rounds.at(-1)!)));
  assert.ok(last.validation_accuracy >= 0.5);
  assert.match(last.kept_checkpoint, /^checkpoints\/iter-\d+\.ckpt$/);
});

Deno.test("cap_per_group keeps the largest margins of each group; no_double_refusals drops double refusals", async () => {
  const row = (id: string, group: string, margin: number, a = "ok", b = "fine") => ({
    pair_id: id,
    group_id: group,
    response_a: a,
    response_b: b,
    margin,
  });
  const capped = await testStage(cap, [
    row("a", "g1", 0.1),
    row("b", "g1", 0.9),
    row("c", "g1", 0.5),
    row("d", "g2", 0.2),
  ], { max: 2 });
  assert.deepEqual(capped.map((r) => r.pair_id), ["b", "c", "d"]);
  const kept = await testStage(refusals, [
    row("x", "g", 1, "I'm sorry, I cannot help with that.", "As an AI I can't do that."),
    row("y", "g", 1, "I'm sorry, I cannot help with that.", "Here is how: first, ..."),
  ]);
  assert.deepEqual(kept.map((r) => r.pair_id), ["y"]);
});
