import assert from "node:assert/strict";
import { join } from "node:path";
import { map } from "rxjs";
import { Int8, Utf8, vectorFromArray } from "apache-arrow";
import type { Batch, StageModule } from "../../src/contracts/types.ts";
import { takeRows, withColumns } from "../../src/data/schema.ts";
import { resolveStageRefs } from "../../src/pipeline/stage_refs.ts";
import { Pool } from "../../src/pool/pool.ts";
import { metricsOf } from "../../src/report/metrics.ts";
import { BUILTIN_STAGES } from "../../src/stages/registry.ts";
import * as ser from "../../src/stages/ser.ts";
import { configOf, type TestContext, testContext } from "./_ctx.ts";
import { worldBatches, worldConfig } from "./_world.ts";
import { from, lastValueFrom, toArray } from "rxjs";

const spec = (name: string) => ({ name, summary: name, fields: {}, examples: [] });
const rowsMap = (f: (b: Batch) => Batch): StageModule => ({
  spec: spec("x"),
  operator: () => map(f),
});

/** Flips the label of candidates whose pair id ends in an even digit. */
const flipper: StageModule = {
  spec: spec("flipper"),
  operator: () =>
    map((b: Batch) => {
      const ids = b.getChild("pair_id")!, lab = b.getChild("label")!;
      const out = Array.from({ length: b.numRows }, (_, i) => {
        const even = Number(String(ids.get(i)).at(-1)) % 2 === 0;
        return even ? -lab.get(i) : lab.get(i);
      });
      return withColumns(b, { label: vectorFromArray(out, new Int8()) });
    }),
};

/** Drops about a third of the candidates at random (from the stage's generator). */
const randomDrop: StageModule = {
  spec: spec("random_drop"),
  operator: (_cfg, ctx) =>
    map((b: Batch) => {
      const keep: number[] = [];
      for (let i = 0; i < b.numRows; i++) if (ctx.rng.next() >= 1 / 3) keep.push(i);
      return takeRows(b, keep);
    }),
};

const TABLE_EXTRA: Record<string, StageModule> = {};
const TABLE = {
  ...BUILTIN_STAGES,
  flipper,
  random_drop: randomDrop,
  inventor: rowsMap((b) =>
    withColumns(b, {
      pair_id: vectorFromArray(Array.from({ length: b.numRows }, () => "new"), new Utf8()),
    })
  ),
};

async function serConfig(withBlock: Record<string, unknown>) {
  const cfg = configOf(ser, withBlock);
  const problems: string[] = [];
  await resolveStageRefs(cfg, ser.spec.fields, [], {
    dir: ".",
    table: { ...TABLE, ...TABLE_EXTRA },
    stageId: "evolve",
    report: (m) => problems.push(m),
  });
  if (problems.length) throw new TypeError(problems.join("; "));
  return cfg;
}

async function runSer(ctx: TestContext, withBlock: Record<string, unknown>) {
  try {
    const op = ser.operator(await serConfig(withBlock), ctx);
    return await lastValueFrom(op(from(worldBatches())).pipe(toArray()));
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

const BASE = { ...worldConfig({ stop: { max_iterations: 2, patience: 3 } }), mode: "ser" };

Deno.test("on_selected stages drop and flip self-labels, and the pool records which stage did", async () => {
  const ctx = testContext();
  const out = await runSer(ctx, {
    ...BASE,
    on_selected: [{ use: "filter", with: { where: "margin > 1.5" } }, { use: "flipper" }],
  });
  const m = metricsOf(out.at(-1)!)!;
  const its = m.iterations.slice(1);
  assert.ok(its.every((r) => r.onSelected && r.onSelected.dropped > 0 && r.onSelected.flipped > 0));
  // Drops: label NULL with the filter's id as the rule, and every kept self-label passed it.
  const dropped = await poolRows(
    ctx.runDir,
    `SELECT iteration, count(*) FROM labels WHERE rule = 'filter' GROUP BY ALL ORDER BY 1`,
  );
  assert.deepEqual(dropped.map((r) => Number(r[1])), its.map((r) => r.onSelected!.dropped));
  const nulls = await poolRows(
    ctx.runDir,
    `SELECT count(*) FROM labels WHERE rule = 'filter' AND label IS NOT NULL`,
  );
  assert.equal(Number(nulls[0][0]), 0);
  const kept = await poolRows(
    ctx.runDir,
    `SELECT count(*) FROM labels WHERE origin = 'self' AND label IS NOT NULL AND margin <= 1.5`,
  );
  assert.equal(Number(kept[0][0]), 0);
  // Flips: the label is the opposite of the model's preference (`swapped` is still the model's).
  const flips = await poolRows(
    ctx.runDir,
    `SELECT pair_id, label, swapped FROM labels WHERE rule = 'flipper'`,
  );
  assert.equal(flips.length, its.reduce((n, r) => n + r.onSelected!.flipped, 0));
  for (const [id, label, swapped] of flips) {
    assert.equal(Number(String(id).at(-1)) % 2, 0);
    assert.equal(Number(label), swapped ? 1 : -1, "flipped against the model's choice");
  }
  // The emitted batches carry the kept labels only.
  for (let k = 1; k < out.length; k++) assert.equal(out[k].numRows, m.iterations[k].selected);
});

Deno.test("on_selected with a random stage: --resume after an interruption equals one run", async () => {
  const withBlock = { ...BASE, on_selected: [{ use: "random_drop" }] };
  const whole = testContext({ runId: "r" });
  const wholeOut = await runSer(whole, withBlock);
  const abort = new AbortController();
  const runDir = Deno.makeTempDirSync({ prefix: "serflow-hooks-" });
  const first = testContext({
    runDir,
    runId: "r",
    signal: abort.signal,
    onLog: (line) => line === "info: iteration 1" && abort.abort(new Error("interrupted (SIGINT)")),
  });
  await runSer(first, withBlock);
  const resumed = testContext({ runDir, runId: "r", resume: true });
  const out = await runSer(resumed, withBlock);
  assert.ok(resumed.logs.includes("info: resuming after iteration 1"));
  assert.deepEqual(metricsOf(out.at(-1)!), metricsOf(wholeOut.at(-1)!));
  const sql =
    `SELECT pair_id, label, iteration, rule, margin FROM labels ORDER BY iteration, pair_id, rule`;
  assert.deepEqual(await poolRows(runDir, sql), await poolRows(whole.runDir, sql));
});

Deno.test("an on_selected stage may not invent pairs: the iteration fails before it commits", async () => {
  const ctx = testContext();
  await assert.rejects(
    () => runSer(ctx, { ...BASE, on_selected: [{ use: "inventor" }] }),
    /Cannot use the output of on_selected stage 'x' of stage 'evolve' \(iteration 1\) as it emits pair 'new', which is not one of its candidates/,
  );
  const its = await poolRows(ctx.runDir, "SELECT iteration FROM iterations");
  assert.deepEqual(its.map((r) => Number(r[0])), [0]);
});

Deno.test("on_iteration stages see each iteration's metrics and stop the loop by dropping the row", async () => {
  const ctx = testContext();
  const out = await runSer(ctx, {
    ...BASE,
    stop: { max_iterations: 5, patience: 5 },
    on_iteration: [{
      use: "filter",
      with: { where: "iteration < 1 && kept_checkpoint.length > 0" },
    }],
  });
  const m = metricsOf(out.at(-1)!)!;
  assert.equal(m.stopReason, "on_iteration:filter");
  assert.deepEqual(m.iterations.map((r) => r.iteration), [0, 1]);
  const run = await poolRows(ctx.runDir, "SELECT stop_reason FROM runs");
  assert.equal(run[0][0], "on_iteration:filter");
});

Deno.test("on_iteration: --resume sees the last committed iteration again and ends like one run", async () => {
  const seen: string[] = [];
  const recorder: StageModule = {
    spec: spec("recorder"),
    operator: () =>
      map((b: Batch) => {
        const k = b.getChild("iteration")!.get(0), replayed = b.getChild("replayed")!.get(0);
        seen.push(`${k}${replayed ? "r" : ""}`);
        return k < 2 ? b : takeRows(b, []); // stop after iteration 2
      }),
  };
  TABLE_EXTRA.recorder = recorder;
  const withBlock = {
    ...BASE,
    stop: { max_iterations: 5, patience: 5 },
    on_iteration: [{ use: "recorder" }],
  };
  const whole = testContext({ runId: "r" });
  const wholeOut = await runSer(whole, withBlock);
  assert.deepEqual(seen.splice(0), ["0", "1", "2"]);
  const abort = new AbortController();
  const runDir = Deno.makeTempDirSync({ prefix: "serflow-hooks-" });
  const first = testContext({
    runDir,
    runId: "r",
    signal: abort.signal,
    onLog: (line) => line === "info: iteration 1" && abort.abort(new Error("interrupted (SIGINT)")),
  });
  await runSer(first, withBlock);
  const resumed = testContext({ runDir, runId: "r", resume: true });
  const out = await runSer(resumed, withBlock);
  assert.deepEqual(seen.slice(-2), ["1r", "2"], "the resumed run replays iteration 1, then runs 2");
  assert.equal(metricsOf(out.at(-1)!)!.stopReason, "on_iteration:recorder");
  assert.deepEqual(metricsOf(out.at(-1)!), metricsOf(wholeOut.at(-1)!));
});
