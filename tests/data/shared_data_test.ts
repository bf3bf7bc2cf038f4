/**
 * The reader's counts on the real datasets in `../shared/data` (beside the checkout; never copied
 * into the repository). Skipped, with a message, where that folder is absent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as read from "../../src/stages/read.ts";
import { pairRows } from "../../src/data/schema.ts";
import { runStage, testContext } from "./_ctx.ts";

const SHARED = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
const present = existsSync(SHARED);
if (!present) console.warn(`skipping shared-data tests: ${SHARED} is absent (see data/README.md)`);

async function readShared(withBlock: Record<string, unknown>) {
  const ctx = testContext({ dir: SHARED });
  const rows = (await runStage(read, withBlock, ctx)).flatMap(pairRows);
  const info = ctx.logs.find((l) => l.level === "info" && l.msg.startsWith("read "))!;
  return { rows, stats: info.fields as Record<string, number> };
}

const account = (s: Record<string, number>) => ({
  read: s.read,
  kept: s.kept,
  duplicates: s.duplicates,
  ties: s.ties,
  rejects: s.rejects,
  identical: s.identical,
});

Deno.test({
  name: "shared data: HH-RLHF harmless-base test reads 2,312 lines into 2,312 pairs",
  ignore: !present,
  async fn() {
    const { rows, stats } = await readShared({
      path: "hh-rlhf/harmless-base/test.jsonl.gz",
      format: "hh-rlhf",
    });
    assert.deepEqual(account(stats), {
      read: 2312,
      kept: 2312,
      duplicates: 0,
      ties: 0,
      rejects: 0,
      identical: 0,
    });
    assert.ok(
      rows.every((r) => r.prompt.startsWith("\n\nHuman:") && r.prompt.endsWith("\n\nAssistant:")),
    );
    const ones = rows.filter((r) => r.label === 1).length / rows.length;
    assert.ok(ones > 0.45 && ones < 0.55, `share of a preferred: ${ones}`);
    // First human turns repeat: fewer groups than pairs.
    assert.ok(new Set(rows.map((r) => r.group_id)).size < rows.length);
  },
});

Deno.test({
  name: "shared data: HH-RLHF helpful-base test reads 2,354 lines, drops 2 identical pairs",
  ignore: !present,
  async fn() {
    const { stats } = await readShared({
      path: "hh-rlhf/helpful-base/test.jsonl.gz",
      format: "hh-rlhf",
    });
    assert.deepEqual(account(stats), {
      read: 2354,
      kept: 2352,
      duplicates: 0,
      ties: 0,
      rejects: 0,
      identical: 2,
    });
  },
});

Deno.test({
  name:
    "shared data: PandaLM gives 894 majority-vote pairs of 999 rows (784 after removing 110 exact duplicates)",
  ignore: !present,
  async fn() {
    const { stats } = await readShared({
      path: "pandalm/testset-v1.json",
      format: "multi-annotator",
    });
    assert.deepEqual(account(stats), {
      read: 999,
      kept: 784,
      duplicates: 110,
      ties: 105,
      rejects: 0,
      identical: 0,
    });
    const noDedupe = await readShared({
      path: "pandalm/testset-v1.json",
      format: "multi-annotator",
      dedupe: false,
    });
    assert.equal(noDedupe.stats.kept, 894);
  },
});
