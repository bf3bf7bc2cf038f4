import assert from "node:assert/strict";
import { dirname } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { readAll, tempFile } from "./_read.ts";
import { FIXTURES } from "./_ctx.ts";
import { resolvePaths } from "../../src/data/resolve_paths.ts";

const enc = new TextEncoder();
const line = (prompt: string, chosen = "yes", rejected = "no") =>
  JSON.stringify({ prompt, chosen, rejected });

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const out = new Response(
    new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip")),
  );
  return new Uint8Array(await out.arrayBuffer());
}

Deno.test("a gzipped JSON Lines file reads the same rows as the plain file", async () => {
  const plain = await readAll("hh_small.jsonl", { preset: "hh-rlhf", onError: "skip" });
  const gz = await tempFile(
    ".jsonl.gz",
    await gzip(await Deno.readFile(`${FIXTURES}hh_small.jsonl`)),
  );
  const zipped = await readAll(gz, { preset: "hh-rlhf", onError: "skip" });
  assert.deepEqual(
    zipped.rows.map((r) => ({ ...r, source: r.source.split(":")[1] })),
    plain.rows.map((r) => ({ ...r, source: r.source.split(":")[1] })),
  );
  assert.equal(zipped.stats.read, 7);
});

Deno.test("CRLF line endings and a UTF-8 BOM are stripped", async () => {
  const path = await tempFile(".jsonl", `\uFEFF${line("p1")}\r\n${line("p2")}\r\n`);
  const { rows } = await readAll(path);
  assert.deepEqual(rows.map((r) => r.prompt), ["p1", "p2"]);
  assert.ok(rows.every((r) => !r.response_a.includes("\r") && !r.response_b.includes("\r")));
});

Deno.test("invalid UTF-8 stops the read with file:line, or is skipped and recorded with on_error: skip", async () => {
  const bad = new Uint8Array([
    ...enc.encode(`${line("p1")}\n{"prompt": "`),
    0xff,
    0xfe,
    ...enc.encode(`", "chosen": "a", "rejected": "b"}\n${line("p3")}\n`),
  ]);
  const path = await tempFile(".jsonl", bad);
  const name = path.split("/").pop();
  await assert.rejects(
    () => readAll(path),
    new Error(
      `${name}:2: invalid UTF-8 (the bytes are not valid UTF-8 text); set on_error: skip to skip such rows ` +
        `(they are counted and recorded in the pool's rejects table)`,
    ),
  );
  const skipped = await readAll(path, { onError: "skip" });
  assert.deepEqual(skipped.rows.map((r) => r.prompt), ["p1", "p3"]);
  assert.deepEqual(skipped.rejects.map((r) => [r.line, r.reason]), [[
    2,
    "invalid UTF-8 (the bytes are not valid UTF-8 text)",
  ]]);
  assert.equal(skipped.stats.rejects, 1);
});

Deno.test("empty files give no rows and no error, for JSON Lines, JSON and CSV", async () => {
  for (const suffix of [".jsonl", ".json", ".csv"]) {
    const { rows, stats } = await readAll(await tempFile(suffix, ""));
    assert.deepEqual([rows.length, stats.read, stats.files], [0, 0, 1], suffix);
  }
});

Deno.test("blank lines are not records: counted apart", async () => {
  const { rows, stats } = await readAll(
    await tempFile(".jsonl", `${line("p1")}\n\n  \n${line("p2")}\n`),
  );
  assert.equal(rows.length, 2);
  assert.deepEqual([stats.read, stats.blankLines], [2, 2]);
});

Deno.test("a truncated last line is reported as possibly truncated, with its line number", async () => {
  const path = await tempFile(".jsonl", `${line("p1")}\n{"prompt": "p2", "cho`);
  await assert.rejects(() => readAll(path), (e: Error) => {
    assert.match(
      e.message,
      /:2: invalid JSON \(.*; the last line has no line ending: the file may be truncated\); set on_error: skip/,
    );
    return true;
  });
  const skipped = await readAll(path, { onError: "skip" });
  assert.deepEqual([skipped.rows.length, skipped.stats.rejects, skipped.rejects[0].raw], [
    1,
    1,
    '{"prompt": "p2", "cho',
  ]);
  // A complete last line without a newline is fine.
  assert.equal((await readAll(await tempFile(".jsonl", line("p1")))).rows.length, 1);
});

Deno.test("a JSON array cut off inside an element is reported as truncated", async () => {
  const path = await tempFile(".json", `[\n${line("p1")},\n${line("p2").slice(0, 20)}`);
  const skipped = await readAll(path, { onError: "skip" });
  assert.equal(skipped.rows.length, 1);
  assert.deepEqual(skipped.rejects.map((r) => r.line), [3]);
  assert.match(skipped.rejects[0].reason, /file ends inside the array; it may be truncated/);
});

Deno.test("a .json file holding JSON Lines is read as JSON Lines", async () => {
  const { rows } = await readAll(await tempFile(".json", `${line("p1")}\n${line("p2")}\n`));
  assert.equal(rows.length, 2);
});

Deno.test("wrong types stop the read naming file, line, field and the fix", async () => {
  const path = await tempFile(
    ".jsonl",
    `${line("p1")}\n{"prompt": "p2", "chosen": {"text": "x"}, "rejected": "y"}\n[1, 2]\n`,
  );
  const name = path.split("/").pop();
  await assert.rejects(
    () => readAll(path),
    new Error(
      `${name}:2: field 'chosen' (chosen) must be text or a list of {role, content} messages, got an object; ` +
        `set on_error: skip to skip such rows (they are counted and recorded in the pool's rejects table)`,
    ),
  );
  const skipped = await readAll(path, { onError: "skip" });
  assert.deepEqual(skipped.rejects.map((r) => [r.line, r.reason]), [
    [
      2,
      "field 'chosen' (chosen) must be text or a list of {role, content} messages, got an object",
    ],
    [3, "expected a JSON object per record, got an array"],
  ]);
  assert.equal(
    skipped.rejects[0].raw,
    '{"prompt": "p2", "chosen": {"text": "x"}, "rejected": "y"}',
  );
  assert.equal(skipped.stats.read, skipped.stats.kept + skipped.stats.rejects);
});

Deno.test("a missing field names the columns the record has and the fields.* fix", async () => {
  const path = await tempFile(".jsonl", `{"question": "q", "chosen": "a", "rejected": "b"}\n`);
  await assert.rejects(
    () => readAll(path),
    /:1: missing field 'prompt' \(prompt\); the record has question, chosen, rejected; map it with fields.prompt/,
  );
});

Deno.test("Parquet files read through DuckDB, with conversational list columns", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/pairs.parquet`;
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  await con.run(`COPY (SELECT * FROM (VALUES
      ('plain', 'good', 'bad'),
      ('other', 'fine', 'worse')) t(prompt, chosen, rejected)) TO '${path}' (FORMAT parquet)`);
  await con.run(`COPY (SELECT [{'role': 'user', 'content': 'hi'}] AS prompt,
      [{'role': 'assistant', 'content': 'hello'}] AS chosen,
      [{'role': 'assistant', 'content': 'bye'}] AS rejected) TO '${dir}/conv.parquet' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
  try {
    const { rows } = await readAll([path, `${dir}/conv.parquet`]);
    assert.deepEqual(rows.map((r) => [r.prompt, r.source]), [
      ["plain", "pairs.parquet:1"],
      ["other", "pairs.parquet:2"],
      ["User: hi", "conv.parquet:1"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("paths resolve against the pipeline folder, with '..', lists and globs; no match is an error", async () => {
  const base = `${FIXTURES}sub`;
  const files = await resolvePaths(["../*.{jsonl,csv}", "../hh_small.jsonl"], base);
  assert.deepEqual(files.map((f) => f.slice(dirname(FIXTURES + "x").length + 1)), [
    "hh_small.jsonl",
    "pairwise.csv",
    "trl_pairs.jsonl",
  ]);
  await assert.rejects(() => resolvePaths("../nothing/*.jsonl", base), Deno.errors.NotFound);
  await assert.rejects(
    () => resolvePaths("missing.jsonl", FIXTURES),
    /Cannot read 'missing.jsonl' as no file matches it/,
  );
});

Deno.test("a CSV that DuckDB cannot parse stops the read naming the file and DuckDB's line, even with on_error: skip", async () => {
  const bad = new Uint8Array([
    ...enc.encode("prompt,chosen,rejected\nhi,a,b\n"),
    0xff,
    0xfe,
    ...enc.encode(",c,d\n"),
  ]);
  const path = await tempFile(".csv", bad);
  await assert.rejects(
    () => readAll(path, { onError: "skip" }),
    (e: Error) => {
      assert.ok(e.message.startsWith(`Cannot read '${path}' as csv: `), e.message);
      assert.match(
        e.message,
        /CSV Error on Line: 3 .*Invalid unicode.*; fix the file or convert it to JSON Lines/,
      );
      return true;
    },
  );
  // A header without rows is an empty table, not an error.
  assert.equal((await readAll(await tempFile(".csv", "prompt,chosen,rejected\n"))).rows.length, 0);
});
