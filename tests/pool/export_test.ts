import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { main as exportCli } from "../../src/cli/export.ts";
import { exportPool } from "../../src/pool/export.ts";
import { Pool } from "../../src/pool/pool.ts";
import { withPool } from "../../src/pool/with_pool.ts";
import { pairBatch } from "../../src/data/schema.ts";
import { captureIo, pairs, tempPoolPath } from "./_helpers.ts";

/** 8 pairs: seeds p0-p1, unlabelled p2-p5, validation p6 (labelled), test p7. */
async function labelledPool(): Promise<string> {
  const path = tempPoolPath();
  await withPool(path, async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    const rows = pairs(8, { seed: 2, test: 1 });
    rows[6] = { ...rows[6], split: "validation", label: 1, gold: null };
    await pool.insertPairs(pairBatch(rows));
    await pool.appendLabels({
      pairId: ["p0000", "p0001", "p0006"],
      label: [-1, 1, 1],
      origin: "human",
      iteration: 0,
      rule: "seed",
    });
    await pool.appendLabels({
      pairId: ["p0002", "p0003", "p0004"],
      label: [1, -1, 1],
      origin: "self",
      iteration: 1,
      rule: "status1",
      margin: [0.25, 0.75, 1.5],
      pA: [0.6, 0.3, 0.8],
      pB: [0.4, 0.7, 0.2],
    });
    await pool.appendLabels({
      pairId: ["p0004"],
      label: [-1],
      origin: "self",
      iteration: 2,
      rule: "status2",
      margin: [2],
    });
  });
  return path;
}

const readJsonl = async (file: string) =>
  (await Deno.readTextFile(file)).split("\n").filter((l) => l).map((l) => JSON.parse(l));

Deno.test("export trl-jsonl writes prompt/chosen/rejected rows matching the pool view", async () => {
  const path = await labelledPool();
  const out = join(dirname(path), "train.jsonl");
  const cap = captureIo();
  assert.equal(await exportCli([path, "--format", "trl-jsonl", "--out", out], cap.io), 0);
  assert.deepEqual(cap.err, [`exported 5 pairs (2 human, 3 self) to ${out}`]);
  const rows = await readJsonl(out);
  for (const r of rows) {
    // No `margin` column unless asked: trainers read it as their loss margin.
    assert.deepEqual(Object.keys(r), ["prompt", "chosen", "rejected", "serflow"]);
    for (const k of ["prompt", "chosen", "rejected"]) assert.equal(typeof r[k], "string");
  }
  const expected = await withPool(path, async (pool) =>
    (await pool.query(
      `SELECT prompt, response_a, response_b, label, origin, margin, iteration, rule, pair_id FROM pool
       WHERE label IS NOT NULL AND split IN ('seed', 'unlabelled') ORDER BY label_id`,
    )).rows.map(([prompt, a, b, label, origin, margin, iteration, rule, id]) => ({
      prompt,
      chosen: `\n\n${label === 1 ? a : b}`,
      rejected: `\n\n${label === 1 ? b : a}`,
      serflow: {
        pair_id: id,
        origin,
        iteration,
        rule,
        self_margin: margin === null ? 0 : Math.round((margin as number) * 1e6) / 1e6,
      },
    })), { readOnly: true });
  assert.deepEqual(rows, expected);
  assert.deepEqual(rows.map((r) => r.serflow.pair_id), [
    "p0000",
    "p0001",
    "p0002",
    "p0003",
    "p0004",
  ]);
  assert.deepEqual(rows[0], {
    prompt: "Question 0: how do I\tdo thing 0?",
    chosen: "\n\nAnswer B to 0\nover two lines",
    rejected: '\n\nAnswer A to 0, "quoted", with ünïcode',
    serflow: { pair_id: "p0000", origin: "human", iteration: 0, rule: "seed", self_margin: 0 },
  });
  assert.deepEqual([rows[4].serflow.iteration, rows[4].serflow.self_margin, rows[4].chosen], [
    2,
    2,
    "\n\nAnswer B to 4\nover two lines",
  ]);
});

Deno.test("export --margin from-confidence writes the self-label margin, --human-margin for humans", async () => {
  const path = await labelledPool();
  const out = join(dirname(path), "m.jsonl");
  const run = async (...extra: string[]) => {
    const cap = captureIo();
    assert.equal(
      await exportCli([path, "--format", "openrlhf-jsonl", "--out", out, ...extra], cap.io),
      0,
    );
    return await readJsonl(out);
  };
  const rows = await run("--margin", "from-confidence");
  assert.deepEqual(Object.keys(rows[0]), ["chosen", "rejected", "margin", "serflow"]);
  assert.deepEqual(rows.map((r) => r.margin), [0, 0, 0.25, 0.75, 2]);
  assert.equal(
    rows[0].chosen,
    "Question 0: how do I\tdo thing 0?\n\nAnswer B to 0\nover two lines",
  );
  const human = await run("--margin", "from-confidence", "--human-margin", "3");
  assert.deepEqual(human.map((r) => r.margin), [3, 3, 0.25, 0.75, 2]);
  assert.ok((await run()).every((r) => !("margin" in r)));
});

Deno.test("export filters by origin, margin and split; test pairs never carry labels", async () => {
  const path = await labelledPool();
  const pool = await Pool.open(path, { readOnly: true });
  try {
    const out = join(dirname(path), "x.jsonl");
    const ids = async (opts: Partial<Parameters<typeof exportPool>[1]>) => {
      await exportPool(pool, { format: "trl-jsonl", out, ...opts });
      return (await readJsonl(out)).map((r) => r.serflow.pair_id);
    };
    assert.deepEqual(await ids({ origin: "human" }), ["p0000", "p0001"]);
    assert.deepEqual(await ids({ origin: "self", minMargin: 0.5 }), ["p0003", "p0004"]);
    assert.deepEqual(await ids({ minMargin: 1 }), ["p0000", "p0001", "p0004"]);
    assert.deepEqual(await ids({ splits: ["validation"] }), ["p0006"]);
    assert.deepEqual(await ids({ splits: ["test"] }), []);
  } finally {
    await pool.close();
  }
});

Deno.test("export --format parquet holds the same rows, typed columns", async () => {
  const path = await labelledPool();
  const out = join(dirname(path), "train.parquet");
  const cap = captureIo();
  assert.equal(
    await exportCli(
      [
        dirname(path),
        "--format",
        "parquet",
        "--out",
        out,
        "--origin",
        "self",
        "--margin",
        "from-confidence",
      ],
      cap.io,
    ),
    0,
  );
  await withPool(path, async (pool) => {
    const r = await pool.query(
      `SELECT serflow.pair_id, chosen = '\n\n' || response_a, margin, serflow.self_margin,
        serflow.iteration FROM '${out}' JOIN pairs ON pairs.pair_id = serflow.pair_id ORDER BY 1`,
    );
    assert.deepEqual(r.rows, [
      ["p0002", true, 0.25, 0.25, 1],
      ["p0003", false, 0.75, 0.75, 1],
      ["p0004", false, 2, 2, 2],
    ]);
    const types = await pool.query(
      `SELECT name, type FROM parquet_schema('${out}') WHERE name IN ('prompt', 'margin', 'self_margin', 'iteration')`,
    );
    assert.deepEqual(types.rows.map((t) => t[0]), ["prompt", "margin", "iteration", "self_margin"]);
  }, { readOnly: true });
});

Deno.test("export refuses bad options with usage, exit 2", async () => {
  const cases: [string[], string][] = [
    [
      ["p", "--out", "x"],
      "--format must be one of trl-jsonl, parquet, openrlhf-jsonl, hf-dataset: got ''",
    ],
    [["p", "--format", "hf-dataset"], "--out DIR is required"],
    [
      ["p", "--format", "parquet", "--out", "x", "--margin", "yes"],
      "--margin must be one of none, from-confidence: got 'yes'",
    ],
    [
      ["p", "--format", "parquet", "--out", "x", "--human-margin", "1"],
      "--human-margin needs --margin from-confidence",
    ],
    [
      [
        "p",
        "--format",
        "parquet",
        "--out",
        "x",
        "--margin",
        "from-confidence",
        "--human-margin",
        "x",
      ],
      "--human-margin must be a number: got 'x'",
    ],
    [
      ["p", "--format", "parquet", "--out", "x", "--shard-rows", "5"],
      "--shard-rows applies to hf-dataset",
    ],
    [
      ["p", "--format", "hf-dataset", "--out", "x", "--shard-rows", "0"],
      "--shard-rows must be a positive integer: got '0'",
    ],
    [["p", "--format", "parquet"], "--out FILE is required"],
    [
      ["p", "--format", "parquet", "--out", "x", "--min-margin", "big"],
      "--min-margin must be a number: got 'big'",
    ],
    [
      ["p", "--format", "parquet", "--out", "x", "--split", "seed,train"],
      "--split takes seed, unlabelled, validation, test: got 'seed,train'",
    ],
  ];
  for (const [args, msg] of cases) {
    const cap = captureIo();
    assert.equal(await exportCli(args, cap.io), 2);
    assert.ok(cap.err[0].startsWith(`error: ${msg}\n\nusage: deno task export`), cap.err[0]);
  }
});
