import assert from "node:assert/strict";
import { join } from "node:path";
import * as report from "../../src/stages/report.ts";
import { attachMetrics } from "../../src/report/metrics.ts";
import { pairBatch } from "../../src/data/schema.ts";
import { runStage, testContext } from "../ser/_ctx.ts";
import { sampleMetrics } from "./_metrics.ts";

Deno.test("report stage writes the reports from the last metrics it saw and passes batches on", async () => {
  const ctx = testContext();
  const early = { ...sampleMetrics(), stopReason: null };
  const input = [
    attachMetrics(pairBatch([]), early),
    attachMetrics(pairBatch([]), sampleMetrics()),
  ];
  const out = await runStage(report, {}, ctx, input);
  assert.equal(out.length, 2);
  const m = JSON.parse(await Deno.readTextFile(join(ctx.runDir, "metrics.json")));
  assert.equal(m.stopReason, "patience");
  const md = await Deno.readTextFile(join(ctx.runDir, "report.md"));
  assert.ok(md.startsWith("# test-pipeline\n"));
  await Deno.stat(join(ctx.runDir, "report.html"));
});

Deno.test("report stage fails clearly when no batch carries SER metrics", async () => {
  await assert.rejects(
    () => runStage(report, {}, testContext({ stageId: "rep" }), [pairBatch([])]),
    new Error(
      "Cannot write the report of stage 'rep' as no input batch carries SER metrics: put the report stage after a 'ser' stage",
    ),
  );
});
