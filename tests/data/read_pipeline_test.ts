/** The reader inside a real run: rejects land in the pool's `rejects` table; errors name file:line. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { runPipeline } from "../../src/pipeline/run.ts";

async function setUp(onError: "fail" | "skip") {
  const dir = await Deno.makeTempDir({ prefix: "serflow-read-run-" });
  await Deno.writeTextFile(
    join(dir, "pairs.jsonl"),
    '{"prompt": "p1", "chosen": "a", "rejected": "b"}\n{"prompt": "p2", "chosen": 5\n' +
      '{"prompt": "p3", "chosen": ["x"], "rejected": "b"}\n{"prompt": "p4", "chosen": "a", "rejected": "b"}\n',
  );
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(
    file,
    `name: read-run\nstages:\n  - id: data\n    use: read\n    with: { path: pairs.jsonl, on_error: ${onError} }\n`,
  );
  return {
    dir,
    pipeline: await loadPipeline(file),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("a run with on_error: skip stores each skipped record in the pool's rejects table", async () => {
  await using setup = await setUp("skip");
  const { dir, pipeline } = setup;
  const lines: string[] = [];
  const r = await runPipeline(pipeline, {
    runDir: join(dir, "run"),
    quiet: false,
    progress: "none",
    write: (l) => lines.push(l),
  });
  assert.equal(r.status, "completed");
  assert.ok(
    lines.some((l) =>
      l.includes(
        "read 4 records from 1 file(s): kept 2, duplicates 0, ties 0, rejects 2, identical 0",
      )
    ),
  );
  const db = await DuckDBInstance.create(join(dir, "run", "pool.duckdb"));
  const con = await db.connect();
  try {
    const rows =
      (await con.runAndReadAll("SELECT file, line, reason, raw FROM rejects ORDER BY line"))
        .getRowObjectsJS();
    assert.deepEqual(rows.map((x) => [x.file, Number(x.line)]), [["pairs.jsonl", 2], [
      "pairs.jsonl",
      3,
    ]]);
    assert.match(String(rows[0].reason), /^invalid JSON/);
    assert.match(
      String(rows[1].reason),
      /field 'chosen' \(chosen\) must be text or a list of \{role, content\} messages, got an array/,
    );
    assert.equal(rows[1].raw, '{"prompt": "p3", "chosen": ["x"], "rejected": "b"}');
  } finally {
    con.closeSync();
    db.closeSync();
  }
});

Deno.test("a run with the default on_error fails naming the file, the line and the fix", async () => {
  await using setup = await setUp("fail");
  const { dir, pipeline } = setup;
  await assert.rejects(
    () => runPipeline(pipeline, { runDir: join(dir, "run"), quiet: true, progress: "none" }),
    (e: Error) => {
      assert.match(
        e.message,
        /pairs\.jsonl:2: invalid JSON \(.*\); set on_error: skip to skip such rows/,
      );
      return true;
    },
  );
});
