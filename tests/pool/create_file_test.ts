import assert from "node:assert/strict";
import { dirname } from "node:path";
import { Pool } from "../../src/pool/pool.ts";
import { ensurePoolFile } from "../../src/pool/create_file.ts";
import { startFixture, tempPoolPath } from "./_helpers.ts";

const creating = (dir: string) =>
  [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".creating")).map((e) => e.name);

Deno.test("a process killed while creating its pool leaves no pool, never an unreadable one", async () => {
  const path = tempPoolPath();
  const dir = dirname(path);
  const child = await startFixture("create_pool.ts", [path], "opening");
  // Kill it the moment its temporary file shows up: while the schema is being built.
  const deadline = Date.now() + 10_000;
  while (creating(dir).length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.ok(creating(dir).length > 0, "the pool is built under a temporary name");
  await child.kill("SIGKILL");
  // Either there is no pool yet, or it is complete: a read-only open (as `query` does) works.
  let exists = true;
  try {
    Deno.statSync(path);
  } catch {
    exists = false;
  }
  if (exists) {
    const ro = await Pool.open(path, { readOnly: true });
    await ro.query("SELECT count(*) FROM runs");
    await ro.close();
  }
  // The next run creates (or opens) it normally.
  const pool = await Pool.open(path);
  await pool.startRun({ runId: "next", pipeline: "create" });
  await pool.close();
  const ro = await Pool.open(path, { readOnly: true });
  assert.deepEqual((await ro.query("SELECT run_id FROM runs WHERE run_id = 'next'")).rows, [[
    "next",
  ]]);
  await ro.close();
});

Deno.test("ensurePoolFile() creates a complete pool once and leaves no temporary file", async () => {
  const path = tempPoolPath();
  const made = await Promise.all([
    ensurePoolFile(path),
    ensurePoolFile(path),
    ensurePoolFile(path),
  ]);
  assert.deepEqual(made.filter(Boolean).length, 1, "exactly one creator wins");
  assert.deepEqual(creating(dirname(path)), []);
  const ro = await Pool.open(path, { readOnly: true });
  assert.deepEqual((await ro.query("SELECT count(*) FROM runs")).rows, [[0n]]);
  await ro.close();
});
