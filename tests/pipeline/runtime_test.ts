import { assertEquals, assertRejects } from "./_assert.ts";
import { writePipeline } from "./_helpers.ts";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { runPipeline } from "../../src/pipeline/run.ts";
import { StageError } from "../../src/pipeline/errors.ts";
import { pairRows } from "../../src/data/schema.ts";
import type { Batch, StageContext, StageModule } from "../../src/contracts/types.ts";
import { definePipeline } from "../../src/stages/pipelines.ts";
import { map } from "rxjs";

async function tempRunDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "serflow-run-" }) + "/run";
}

/** A sink that records every pair id it sees, in order. */
function collector(seen: string[]): StageModule {
  return {
    spec: {
      name: "collect",
      summary: "Collects ids (tests).",
      fields: {},
      examples: [],
      inputs: { min: 1, max: 4 },
    },
    operator: (_c: unknown, _ctx: StageContext) =>
      map((b: Batch) => {
        seen.push(...pairRows(b).map((r) => r.pair_id));
        return b;
      }),
  };
}

Deno.test("a custom stage loaded from a path runs like a built-in one", async () => {
  const file = await writePipeline(`name: custom
stages:
  - id: src
    use: $STAGES/count_source.ts
    with: { batches: 3, rows: 4 }
  - id: keep
    use: filter
    with: { where: "pair_id.endsWith('1') || pair_id.endsWith('2')" }
  - id: out
    use: write
`);
  const runDir = await tempRunDir();
  const r = await runPipeline(await loadPipeline(file), { runDir, quiet: true });
  assertEquals(r.status, "completed");
  const lines = (await Deno.readTextFile(`${runDir}/out.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assertEquals(lines.map((l) => l.pair_id), ["p-1", "p-2", "p-11"]);
  assertEquals(JSON.parse(await Deno.readTextFile(`${runDir}/run.json`)).status, "completed");
});

Deno.test("a stage with two inputs reads them in order (first input, then the second)", async () => {
  const seen: string[] = [];
  const p = await definePipeline({
    name: "dag",
    stages: [
      {
        id: "a",
        use: (await import("../testdata/stages/count_source.ts")) as StageModule,
        with: { batches: 3, prefix: "a", delay_ms: 5 },
      },
      {
        id: "b",
        use: (await import("../testdata/stages/count_source.ts")) as StageModule,
        with: { batches: 2, prefix: "b" },
      },
      { id: "join", use: collector(seen), inputs: ["a", "b"] },
    ],
  });
  const r = await runPipeline(p, { runDir: await tempRunDir(), quiet: true });
  assertEquals(seen, ["a-0", "a-1", "a-2", "a-3", "a-4", "a-5", "b-0", "b-1", "b-2", "b-3"]);
  assertEquals(r.batches, { a: 3, b: 2, join: 5 });
});

Deno.test("a fast source into a slow stage keeps at most `capacity` batches waiting", async () => {
  const g = globalThis as Record<string, unknown>;
  let maxAhead = 0;
  let consumed = 0;
  const probe: StageModule = {
    spec: {
      name: "probe",
      summary: "Measures how far the source runs ahead (tests).",
      fields: {},
      examples: [],
    },
    operator: (_c: unknown, ctx: StageContext) =>
      ctx.mapAsync(async (b) => {
        maxAhead = Math.max(maxAhead, (g.__emitted as number) - consumed);
        await new Promise((r) => setTimeout(r, 3));
        consumed++;
        return b;
      }),
  };
  const p = await definePipeline({
    name: "bp",
    stages: [
      {
        id: "src",
        use: (await import("../testdata/stages/count_source.ts")) as StageModule,
        with: { batches: 60 },
      },
      { id: "slow", use: probe },
    ],
  });
  await runPipeline(p, { runDir: await tempRunDir(), quiet: true, capacity: 2 });
  assertEquals(consumed, 60);
  // In flight: 2 waiting on the edge, 1 being processed, 1 being produced.
  assertEquals(maxAhead <= 4, true, `source ran ${maxAhead} batches ahead`);
});

Deno.test("a failing stage ends the run with a StageError naming it", async () => {
  const file = await writePipeline(`name: fails
stages:
  - id: src
    use: $STAGES/count_source.ts
    with: { batches: 5 }
  - id: boom
    use: $STAGES/slow.ts
    with: { ms: 1, fail_at: 2 }
`);
  const runDir = await tempRunDir();
  const e = await assertRejects(
    async () => await runPipeline(await loadPipeline(file), { runDir, quiet: true }),
    "stage 'boom' failed: Cannot process batch 2 as the test asked it to fail",
  );
  assertEquals(e instanceof StageError && e.stageId, "boom");
  assertEquals(JSON.parse(await Deno.readTextFile(`${runDir}/run.json`)).status, "failed");
});

Deno.test("an abort stops the source, lets stages finish their batch, and reports interrupted", async () => {
  const file = await writePipeline(`name: stop
stages:
  - id: src
    use: $STAGES/count_source.ts
    with: { batches: 1000, delay_ms: 1 }
  - id: slow
    use: $STAGES/slow.ts
    with: { ms: 5 }
`);
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 100);
  const runDir = await tempRunDir();
  const r = await runPipeline(await loadPipeline(file), {
    runDir,
    quiet: true,
    signal: ctl.signal,
  });
  assertEquals(r.status, "interrupted");
  assertEquals(r.batches.slow < 1000, true);
  assertEquals(JSON.parse(await Deno.readTextFile(`${runDir}/run.json`)).status, "interrupted");
  // A fresh run refuses to replace the unfinished one; --resume reopens it with the same id.
  await assertRejects(
    async () => runPipeline(await loadPipeline(file), { runDir, quiet: true }),
    "holds an unfinished run (interrupted)",
  );
  const again = await runPipeline(
    await loadPipeline(file, { sets: ["stages.src.with.batches=2"] }),
    { runDir, quiet: true, resume: true },
  );
  assertEquals(again.runId, r.runId);
});

Deno.test("head stops a long source early instead of reading it to the end", async () => {
  const g = globalThis as Record<string, unknown>;
  const file = await writePipeline(`name: early
stages:
  - id: src
    use: $STAGES/count_source.ts
    with: { batches: 100000, rows: 10 }
  - id: first
    use: head
    with: { rows: 25 }
  - id: out
    use: write
`);
  const runDir = await tempRunDir();
  const r = await runPipeline(await loadPipeline(file), { runDir, quiet: true, capacity: 2 });
  assertEquals(r.batches.first, 3);
  assertEquals((await Deno.readTextFile(`${runDir}/out.jsonl`)).trim().split("\n").length, 25);
  assertEquals((g.__emitted as number) < 20, true, `source emitted ${g.__emitted} batches`);
});
