import assert from "node:assert/strict";
import { join } from "node:path";
import * as ser from "../../src/stages/ser.ts";
import { metricsOf } from "../../src/report/metrics.ts";
import { Pool } from "../../src/pool/pool.ts";
import { readCheckpointHeader } from "../../src/model/checkpoint.ts";
import { runStage, type TestContext, testContext } from "./_ctx.ts";
import { SIZES, worldBatches, worldConfig } from "./_world.ts";

const WITH = (() => {
  const c = worldConfig({ stop: { max_iterations: 3, patience: 3 } });
  return { ...c, mode: "ser" };
})();

async function runSer(ctx: TestContext, withBlock: Record<string, unknown> = WITH) {
  try {
    return await runStage(ser, withBlock, ctx, worldBatches());
  } finally {
    await ctx.close();
  }
}

async function poolRows(runDir: string, sql: string) {
  const pool = await Pool.open(join(runDir, "pool.duckdb"), { readOnly: true });
  try {
    return (await pool.query(sql)).rows;
  } finally {
    await pool.close();
  }
}

const LABELS_SQL =
  `SELECT pair_id, label, origin, iteration, rule, p_a, p_b, margin, swapped, model_id
  FROM labels ORDER BY iteration, origin, pair_id`;
const ITERATIONS_SQL =
  `SELECT iteration, status, selected, pool_size, metrics FROM iterations ORDER BY iteration`;

Deno.test("ser stage commits every iteration to the pool and emits its labels with the metrics", async () => {
  const ctx = testContext();
  const out = await runSer(ctx);
  const last = metricsOf(out.at(-1)!)!;
  assert.equal(last.stopReason, "max-iterations");
  assert.equal(out.length, 4); // iterations 0..3
  // Iteration 0 emits the human seed labels; later batches the self-labels they chose.
  assert.equal(out[0].numRows, SIZES.seed);
  assert.deepEqual([...new Set(out[0].getChild("origin")!.toArray())], ["human"]);
  for (let k = 1; k < out.length; k++) {
    assert.equal(out[k].numRows, last.iterations[k].selected);
    assert.ok([...out[k].getChild("iteration")!.toArray()].every((v) => v === k));
  }
  const its = await poolRows(ctx.runDir, ITERATIONS_SQL);
  assert.deepEqual(its.map((r) => Number(r[0])), [0, 1, 2, 3]);
  assert.deepEqual(
    its.map((r) => JSON.parse(String(r[4])).record),
    last.iterations,
    "the pool holds the same records as metrics",
  );
  const counts = await poolRows(
    ctx.runDir,
    `SELECT origin, iteration, count(*) FROM labels WHERE label IS NOT NULL GROUP BY ALL ORDER BY 2, 1`,
  );
  assert.deepEqual(counts[0].map(String), ["human", "0", String(SIZES.seed)]);
  for (const r of counts.slice(1)) {
    assert.equal(r[0], "self");
    assert.equal(Number(r[2]), last.iterations[Number(r[1])].selected);
  }
  const pairs = await poolRows(ctx.runDir, "SELECT count(*) FROM pairs");
  assert.equal(Number(pairs[0][0]), SIZES.seed + SIZES.unlabelled + SIZES.validation + SIZES.test);
  const run = await poolRows(ctx.runDir, "SELECT stop_reason FROM runs");
  assert.equal(run[0][0], "max-iterations");
  // A checkpoint per iteration, only the last with optimizer state; the kept model by stage id.
  for (let k = 0; k <= 3; k++) {
    const h = await readCheckpointHeader(join(ctx.runDir, "checkpoints", `iter-${k}.ckpt`));
    assert.equal(h.metadata.iteration, k);
    assert.equal(h.optimizerStep === null, k < 3);
  }
  const kept = await readCheckpointHeader(join(ctx.runDir, "checkpoints", "evolve.ckpt"));
  assert.equal(kept.metadata.iteration, last.final!.iteration);
  // Reward statistics over the kept iteration's training set, for `serve --normalize`.
  const keptIter = await readCheckpointHeader(
    join(ctx.runDir, "checkpoints", `iter-${last.final!.iteration}.ckpt`),
  );
  assert.deepEqual(kept.metadata.rewardStats, keptIter.metadata.rewardStats);
  assert.equal(
    kept.metadata.rewardStats!.count,
    2 * last.iterations[last.final!.iteration].poolSize,
  );
  assert.ok(kept.metadata.rewardStats!.std > 0);
});

Deno.test("ser stage resumed after an interruption gives the same pool and metrics as one run", async () => {
  const whole = testContext({ runId: "r" });
  const wholeOut = await runSer(whole);
  // Interrupt right after iteration 1 is committed and logged.
  const abort = new AbortController();
  const runDir = Deno.makeTempDirSync({ prefix: "serflow-resume-" });
  const first = testContext({
    runDir,
    runId: "r",
    signal: abort.signal,
    onLog: (line) => line === "info: iteration 1" && abort.abort(new Error("interrupted (SIGINT)")),
  });
  const partial = await runSer(first);
  assert.equal(metricsOf(partial.at(-1)!)!.stopReason, null);
  assert.deepEqual(
    (await poolRows(runDir, ITERATIONS_SQL)).map((r) => Number(r[0])),
    [0, 1],
  );
  const resumed = testContext({ runDir, runId: "r", resume: true });
  const out = await runSer(resumed);
  assert.ok(resumed.logs.includes("info: resuming after iteration 1"));
  assert.deepEqual(metricsOf(out.at(-1)!), metricsOf(wholeOut.at(-1)!));
  assert.deepEqual(await poolRows(runDir, LABELS_SQL), await poolRows(whole.runDir, LABELS_SQL));
  const strip = (rows: unknown[][]) =>
    rows.map((r) => r.slice(0, 4).concat(JSON.parse(String(r[4])).record));
  assert.deepEqual(
    strip(await poolRows(runDir, ITERATIONS_SQL)),
    strip(await poolRows(whole.runDir, ITERATIONS_SQL)),
  );
});

Deno.test("ser stage refuses input without a split and fails before training", async () => {
  const ctx = testContext({ stageId: "evolve" });
  const bad = worldBatches().map((b) =>
    b.select(["pair_id", "prompt", "response_a", "response_b"])
  );
  await assert.rejects(
    () => runStage(ser, WITH, ctx, bad).finally(() => ctx.close()),
    new TypeError(
      "Cannot run the SER loop as an input batch has no 'split' column: put a 'split' stage before it",
    ),
  );
});
