import assert from "node:assert/strict";
import * as read from "../../src/stages/read.ts";
import { PAIR_SCHEMA, pairRows } from "../../src/data/schema.ts";
import { FIXTURES, runStage, testContext } from "./_ctx.ts";
import { tempFile } from "./_read.ts";

Deno.test("read emits pair batches of batch_size rows with the pair schema and logs its account", async () => {
  const ctx = testContext();
  const out = await runStage(read, {
    path: "hh_small.jsonl",
    format: "hh-rlhf",
    on_error: "skip",
    batch_size: 3,
  }, ctx);
  assert.deepEqual(out.map((b) => b.numRows), [3, 1]);
  assert.deepEqual(out[0].schema.fields.map((f) => f.name), PAIR_SCHEMA.fields.map((f) => f.name));
  const rows = out.flatMap(pairRows);
  assert.ok(
    rows.every((r) => r.split === "" && r.gold === null && (r.label === 1 || r.label === -1)),
  );
  const info = ctx.logs.find((l) => l.level === "info" && l.msg.startsWith("read "))!;
  assert.equal(
    info.msg,
    "read 7 records from 1 file(s): kept 4, duplicates 1, ties 0, rejects 1, identical 1",
  );
  assert.equal(info.fields?.kept, 4);
});

Deno.test("read resolves paths against the pipeline folder, '..' included", async () => {
  const ctx = testContext({ dir: `${FIXTURES}nested/deeper` });
  const out = await runStage(read, { path: ["../../trl_pairs.jsonl"] }, ctx);
  const rows = out.flatMap(pairRows);
  assert.equal(rows.length, 3);
  assert.equal(rows[0].source, "../../trl_pairs.jsonl:1");
});

Deno.test("read fails the stream with file:line and the on_error hint on a malformed record", async () => {
  const path = await tempFile(
    ".jsonl",
    '{"prompt": "p", "chosen": "a", "rejected": "b"}\n{"prompt": 3}\n',
  );
  const ctx = testContext({ dir: path.slice(0, path.lastIndexOf("/")) });
  const name = path.split("/").pop();
  await assert.rejects(
    () => runStage(read, { path: name }, ctx),
    new Error(
      `${name}:2: missing field 'chosen' (chosen); the record has prompt; map it with fields.chosen; ` +
        `set on_error: skip to skip such rows (they are counted and recorded in the pool's rejects table)`,
    ),
  );
});

Deno.test("read with on_error: skip records each skipped row in the pool's rejects and warns", async () => {
  const path = await tempFile(
    ".jsonl",
    '{"prompt": "p", "chosen": "a", "rejected": "b"}\nnot json\n{"prompt": 3}\n',
  );
  const ctx = testContext({ dir: path.slice(0, path.lastIndexOf("/")) });
  const name = path.split("/").pop()!;
  const out = await runStage(read, { path: name, on_error: "skip" }, ctx);
  assert.equal(out.flatMap(pairRows).length, 1);
  assert.deepEqual(ctx.rejects.map((r) => [r.file, r.line, r.raw]), [[name, 2, "not json"], [
    name,
    3,
    '{"prompt": 3}',
  ]]);
  assert.match(ctx.rejects[0].reason, /^invalid JSON \(/);
  assert.ok(
    ctx.logs.some((l) =>
      l.level === "warn" && l.msg === "skipped 2 malformed records (see the pool's rejects table)"
    ),
  );
});

Deno.test("read warns when the files hold no records", async () => {
  const path = await tempFile(".jsonl", "");
  const ctx = testContext({ dir: "/" });
  const out = await runStage(read, { path }, ctx);
  assert.equal(out.length, 0);
  assert.ok(ctx.logs.some((l) => l.level === "warn" && l.msg.startsWith("read found no records")));
});
