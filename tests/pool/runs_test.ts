import assert from "node:assert/strict";
import { join } from "node:path";
import { withPool } from "../../src/pool/with_pool.ts";
import { runOutcome, runPool } from "../../src/pool/run_pool.ts";
import { gitCommit } from "../../src/pool/git_commit.ts";
import { poolContext, ROOT } from "./_helpers.ts";

Deno.test("startRun() records a run; the same id again resumes it", async () => {
  await withPool(":memory:", async (pool) => {
    assert.equal(
      await pool.startRun({ runId: "r1", pipeline: "p", config: { seed: 7 }, gitCommit: "abc" }),
      false,
    );
    assert.equal(pool.runId, "r1");
    await pool.recordIteration({ iteration: 0, status: "seed", selected: 0, poolSize: 3 });
    await pool.finishRun("r1", "interrupted", "SIGINT");
    const stopped = await pool.getRun("r1");
    assert.equal(stopped?.status, "interrupted");
    assert.equal(stopped?.stopReason, "SIGINT");
    assert.ok(stopped?.finishedAt);
    assert.deepEqual(
      (await pool.query(
        "SELECT pipeline, config->>'seed', git_commit FROM runs WHERE run_id = $1",
        {
          values: ["r1"],
        },
      )).rows,
      [["p", "7", "abc"]],
    );
    const resumable = await pool.findResumableRun("p");
    assert.deepEqual([resumable?.runId, resumable?.lastIteration], ["r1", 0]);
    assert.equal(await pool.startRun({ runId: "r1", pipeline: "p" }), true);
    const resumed = await pool.getRun();
    assert.deepEqual([resumed?.status, resumed?.finishedAt, resumed?.stopReason], [
      "running",
      null,
      null,
    ]);
    await pool.finishRun("r1", "completed", "converged");
    assert.equal(await pool.findResumableRun("p"), null);
    assert.equal(await pool.findResumableRun("other"), null);
  });
});

Deno.test("finishRun() refuses an unknown run or status", async () => {
  await withPool(":memory:", async (pool) => {
    await assert.rejects(() => pool.finishRun("nope", "completed"), {
      message: "Cannot finish run 'nope' as the pool has no such run: call startRun first",
    });
    await pool.startRun({ runId: "r", pipeline: "p" });
    // deno-lint-ignore no-explicit-any
    await assert.rejects(() => pool.finishRun("r", "done" as any), {
      message:
        "Cannot finish run 'r' as status 'done' is not one of running, completed, interrupted, failed",
    });
  });
});

Deno.test("recordRejects() stores bad records with their file and line", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "p" });
    await pool.recordRejects([
      { file: "a.jsonl", line: 3, reason: "invalid JSON", raw: "{" },
      { file: "a.jsonl", line: 9, reason: "no 'chosen' field" },
    ]);
    assert.deepEqual(
      (await pool.query("SELECT run_id, file, line, reason, raw FROM rejects ORDER BY line")).rows,
      [
        ["r", "a.jsonl", 3n, "invalid JSON", "{"],
        ["r", "a.jsonl", 9n, "no 'chosen' field", null],
      ],
    );
  });
});

Deno.test("runPool() opens <runDir>/pool.duckdb once, registers the run, and finishes it on close", async () => {
  const runDir = join(await Deno.makeTempDir(), "runs", "demo");
  const ctx = poolContext(runDir, "demo-1");
  const [a, b] = await Promise.all([runPool(ctx), runPool(ctx)]);
  assert.equal(a, b);
  assert.equal(a.path, join(runDir, "pool.duckdb"));
  const run = await a.getRun();
  assert.deepEqual([run?.runId, run?.pipeline, run?.status, run?.gitCommit], [
    "demo-1",
    "demo",
    "running",
    gitCommit(ROOT),
  ]);
  assert.deepEqual((await a.query("SELECT config->>'name' FROM runs")).rows, [["demo"]]);
  await ctx.closeAll();
  await withPool(join(runDir, "pool.duckdb"), async (pool) => {
    const done = await pool.getRun("demo-1");
    assert.deepEqual([done?.status, done?.stopReason], ["completed", null]);
  }, { readOnly: true });
});

Deno.test("runPool() close leaves a run another stage finished, and marks aborted runs", async () => {
  const runDir = await Deno.makeTempDir();
  const ctx = poolContext(runDir, "x");
  const pool = await runPool(ctx);
  await pool.finishRun("x", "completed", "max_iterations");
  await ctx.closeAll();
  const ctx2 = poolContext(runDir, "y");
  await runPool(ctx2);
  ctx2.abort.abort(new Error("stage 'evolve' failed: out of memory"));
  await ctx2.closeAll();
  await withPool(join(runDir, "pool.duckdb"), async (p) => {
    assert.deepEqual(
      (await p.query("SELECT run_id, status, stop_reason FROM runs ORDER BY run_id")).rows,
      [
        ["x", "completed", "max_iterations"],
        ["y", "failed", "stage 'evolve' failed: out of memory"],
      ],
    );
  }, { readOnly: true });
});

Deno.test("runOutcome() tells completed, interrupted and failed runs apart", () => {
  const c = new AbortController();
  assert.deepEqual(runOutcome(c.signal), ["completed", null]);
  c.abort("SIGINT");
  assert.deepEqual(runOutcome(c.signal), ["interrupted", "SIGINT"]);
  const d = new AbortController();
  d.abort();
  assert.deepEqual(runOutcome(d.signal), ["interrupted", "aborted"]);
  const e = new AbortController();
  e.abort(new TypeError("boom"));
  assert.deepEqual(runOutcome(e.signal), ["failed", "boom"]);
});

Deno.test("gitCommit() reads HEAD through a branch ref, packed refs and a detached head", async () => {
  const dir = await Deno.makeTempDir();
  const git = join(dir, ".git");
  await Deno.mkdir(join(git, "refs", "heads"), { recursive: true });
  const c1 = "1".repeat(40), c2 = "2".repeat(40), c3 = "3".repeat(40);
  await Deno.writeTextFile(join(git, "HEAD"), "ref: refs/heads/main\n");
  await Deno.writeTextFile(join(git, "refs/heads/main"), `${c1}\n`);
  await Deno.mkdir(join(dir, "sub", "deeper"), { recursive: true });
  assert.equal(gitCommit(join(dir, "sub", "deeper")), c1);
  await Deno.remove(join(git, "refs/heads/main"));
  await Deno.writeTextFile(join(git, "packed-refs"), `# pack-refs\n${c2} refs/heads/main\n`);
  assert.equal(gitCommit(dir), c2);
  await Deno.writeTextFile(join(git, "HEAD"), `${c3}\n`);
  assert.equal(gitCommit(dir), c3);
  assert.equal(gitCommit(await Deno.makeTempDir()), null);
});
