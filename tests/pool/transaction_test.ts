import assert from "node:assert/strict";
import { dirname } from "node:path";
import type { Pool } from "../../src/pool/pool.ts";
import { withPool } from "../../src/pool/with_pool.ts";
import type { PoolTransaction } from "../../src/pool/transaction.ts";
import { pairsBatch, startFixture, tempPoolPath } from "./_helpers.ts";

const count = async (pool: Pool, sql: string) => Number((await pool.query(sql)).rows[0][0]);

Deno.test("transaction() commits all of its writes together", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    const out = await pool.transaction(async (tx) => {
      await tx.insertPairs(pairsBatch(4));
      await tx.appendLabels({
        pairId: ["p0002"],
        label: [1],
        origin: "self",
        iteration: 1,
        rule: "status1",
      });
      await tx.recordIteration({
        iteration: 1,
        status: "status1",
        selected: 1,
        poolSize: 3,
        metrics: { acc: 0.5 },
        durationMs: 12.5,
      });
      await tx.recordModel({
        modelId: "r/1",
        iteration: 1,
        checkpoint: "checkpoints/iter-1.ckpt",
        metrics: { loss: 0.7 },
      });
      return "done";
    });
    assert.equal(out, "done");
    const r = await pool.query(
      "SELECT i.status, i.selected, i.pool_size, i.metrics->>'acc', i.duration_ms, m.checkpoint, m.metrics->>'loss' " +
        "FROM iterations i JOIN models m USING (run_id, iteration)",
    );
    assert.deepEqual(r.rows, [["status1", 1, 3, "0.5", 12.5, "checkpoints/iter-1.ckpt", "0.7"]]);
  });
});

Deno.test("transaction() rolls every write back when its callback throws", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    await assert.rejects(
      () =>
        pool.transaction(async (tx) => {
          await tx.insertPairs(pairsBatch(4));
          await tx.appendLabels({
            pairId: ["p0002"],
            label: [1],
            origin: "self",
            iteration: 1,
            rule: "r",
          });
          await tx.recordIteration({ iteration: 1, status: "s", selected: 1, poolSize: 3 });
          throw new Error("scoring failed");
        }),
      { message: "scoring failed" },
    );
    assert.equal(await count(pool, "SELECT count(*) FROM pairs"), 0);
    assert.equal(await count(pool, "SELECT count(*) FROM labels"), 0);
    assert.equal(await pool.lastCommittedIteration(), null);
    await pool.appendLabels({
      pairId: ["p0002"],
      label: [1],
      origin: "self",
      iteration: 1,
      rule: "r",
    });
    assert.equal(
      await count(pool, "SELECT count(*) FROM labels"),
      1,
      "the pool is usable afterwards",
    );
  });
});

Deno.test("a pool method called inside transaction() fails instead of waiting for itself", async () => {
  await withPool(":memory:", async (pool) => {
    await assert.rejects(() => pool.transaction(() => pool.lastCommittedIteration("r")), {
      message: "Cannot call Pool.lastCommittedIteration() inside work of the same pool (e.g. a " +
        "pool.transaction() callback), as it would wait for itself: use the transaction handle 'tx' instead",
    });
    let kept: PoolTransaction | undefined;
    await pool.transaction((tx) => Promise.resolve(void (kept = tx)));
    assert.throws(() => kept!.insertPairs(pairsBatch(1)), {
      message:
        "Cannot call insertPairs() as its transaction has ended: use the handle only inside " +
        "the pool.transaction() callback, and await every call before it returns",
    });
  });
});

Deno.test("concurrent callers of one pool are served one at a time, in order", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) =>
      pool.transaction(async (tx) => {
        order.push(i);
        await tx.recordIteration({ iteration: i, status: "s", selected: 0, poolSize: 0 });
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
      })
    ));
    assert.deepEqual(order, [1, 1, 2, 2, 3, 3]);
  });
});

Deno.test("recordIteration() refuses an iteration that is already committed", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    await pool.recordIteration({ iteration: 0, status: "seed", selected: 0, poolSize: 2 });
    await assert.rejects(
      () => pool.recordIteration({ iteration: 0, status: "seed", selected: 0, poolSize: 2 }),
      {
        name: "RangeError",
        message: "Cannot record iteration 0 of run 'r' as it is already committed: continue from " +
          "lastCommittedIteration() + 1",
      },
    );
  });
});

for (const signal of ["SIGKILL", "SIGINT"] as const) {
  Deno.test(`a writer killed (${signal}) mid-transaction leaves the pool as after its last commit`, async () => {
    const path = tempPoolPath();
    const writer = await startFixture("crash_writer.ts", [path, "50000"], "in-transaction");
    assert.ok(writer.output.includes("committed"));
    const status = await writer.kill(signal);
    assert.equal(status.signal, signal);
    await withPool(path, async (pool) => {
      assert.equal(await pool.lastCommittedIteration("crash-run"), 1);
      assert.equal(await count(pool, "SELECT count(*) FROM labels"), 40);
      assert.equal(await count(pool, "SELECT count(*) FROM labels WHERE iteration = 2"), 0);
      assert.equal(await count(pool, "SELECT count(*) FROM models"), 0);
      assert.equal(await count(pool, "SELECT count(*) FROM pairs"), 100);
      assert.equal(await count(pool, "SELECT count(*) FROM pool WHERE label IS NOT NULL"), 40);
      const labels = await pool.currentLabels();
      assert.deepEqual([labels.length, labels.label[0], labels.label[39]], [40, 1, -1]);
      const run = await pool.findResumableRun("crash");
      assert.equal(run?.runId, "crash-run");
      assert.equal(run?.status, "running");
      assert.equal(run?.lastIteration, 1);
    }, { readOnly: true });
    const scratch = [...Deno.readDirSync(dirname(path))].filter((e) => e.name.endsWith(".parquet"));
    assert.deepEqual(scratch, [], "the bulk pair write removed its scratch file");
  });
}
