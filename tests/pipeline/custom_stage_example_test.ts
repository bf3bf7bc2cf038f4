import { assertEquals } from "./_assert.ts";
import { fileURLToPath } from "node:url";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { runPipeline } from "../../src/pipeline/run.ts";
import { renderTree } from "../../src/pipeline/graph.ts";
import { pairBatch, pairRows } from "../../src/data/schema.ts";
import type { StageContext } from "../../src/contracts/types.ts";
import { lastValueFrom, of } from "rxjs";

const EXAMPLE = fileURLToPath(
  new URL("../../pipelines/examples/custom_stage.yaml", import.meta.url),
);

Deno.test("the shipped custom-stage example validates and runs end to end", async () => {
  const p = await loadPipeline(EXAMPLE, {
    sets: ["backend=cpu", "stages.data.with.pairs=600", "stages.evolve.with.stop.max_iterations=1"],
  });
  assertEquals(p.stages.map((s) => s.id), ["data", "clean", "split", "evolve", "report"]);
  assertEquals(p.stages[1].module.spec.name, "drop_short");
  assertEquals(renderTree(p.stages, p.name).includes("clean (./stages/drop_short.ts)"), true);
  const runDir = (await Deno.makeTempDir({ prefix: "serflow-example-" })) + "/run";
  const r = await runPipeline(p, { runDir, quiet: true });
  assertEquals(r.status, "completed");
  const metrics = JSON.parse(await Deno.readTextFile(`${runDir}/metrics.json`));
  assertEquals(typeof metrics.final.testAccuracy, "number");
});

Deno.test("the example's drop_short stage keeps only pairs whose answers both have min_words words", async () => {
  const { operator } = await import("../../pipelines/examples/stages/drop_short.ts");
  const row = (id: string, a: string, b: string) => ({
    pair_id: id,
    group_id: id,
    prompt: "q",
    response_a: a,
    response_b: b,
    label: 1 as const,
    split: "" as const,
    gold: null,
    source: "t",
  });
  const batch = pairBatch([
    row("x", "one two three", "a b c d"),
    row("y", "one two", "a b c d"),
    row("z", "a b c", "x y z"),
  ]);
  const out = await lastValueFrom(of(batch).pipe(operator({ min_words: 3 }, fakeContext())));
  assertEquals(pairRows(out).map((r) => r.pair_id), ["x", "z"]);
});

function fakeContext() {
  const noop = () => {};
  return { log: { debug: noop, info: noop, warn: noop, error: noop } } as unknown as StageContext;
}
