import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../src/cli/compare.ts";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { runPipeline } from "../../src/pipeline/run.ts";
import type { RunMetrics } from "../../src/report/metrics.ts";

const PIPELINE = `name: tiny-share
seed: 5
backend: cpu
stages:
  - id: data
    use: synthetic
    with: { pairs: 500 }
  - id: split
    use: split
    with: { seed_fraction: 0.1, validation_fraction: 0.15, test_fraction: 0.25 }
  - id: evolve
    use: ser
    with:
      model: { buckets: 1024, dim: 4, hidden: 8 }
      train: { epochs: 2 }
      select: { policy: top_k, k: 40 }
      stop: { max_iterations: 2, min_new_pairs: 1 }
  - id: report
    use: report
`;

async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  try {
    return await f();
  } finally {
    console.log = log;
  }
}

const readMetrics = async (dir: string): Promise<RunMetrics> =>
  JSON.parse(await Deno.readTextFile(join(dir, "metrics.json")));

Deno.test("compare's shared data stages and derived seed-only give the metrics of separate runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serflow-compare-share-" });
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(file, PIPELINE);
  const out = join(dir, "out");
  assert.equal(await quietly(() => main([file, "--seeds", "2", "--run-dir", out])), 0);
  for (const seed of [5, 6]) {
    for (const mode of ["seed-only", "ser", "all-labels"]) {
      const p = await loadPipeline(file, {
        sets: [`seed=${seed}`, `stages.evolve.with.mode=${mode}`],
      });
      const alone = join(dir, "alone", `${seed}-${mode}`);
      await runPipeline(p, { runDir: alone, quiet: true, progress: "none" });
      const shared = await readMetrics(join(out, `seed-${seed}`, mode));
      // compare adds the seed's reference levels to the SER reports.
      delete shared.baselines;
      assert.deepEqual(shared, await readMetrics(alone), `seed ${seed} ${mode}`);
      if (mode === "ser") assert.ok(shared.iterations.length > 1, "SER self-labelled");
    }
    // The seed-only method took the SER run's iteration 0 and says so.
    const run = JSON.parse(
      await Deno.readTextFile(join(out, `seed-${seed}`, "seed-only", "run.json")),
    );
    assert.equal(run.derivedFrom, join("..", "ser"));
    assert.equal(run.status, "completed");
  }
});

Deno.test("compare trains seed-only itself when no ser method has its settings", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serflow-compare-share-" });
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(file, PIPELINE);
  const out = join(dir, "out");
  const args = ["--seeds", "1", "--methods", "seed-only,ser:committee", "--run-dir", out];
  assert.equal(await quietly(() => main([file, ...args])), 0);
  const run = JSON.parse(await Deno.readTextFile(join(out, "seed-5", "seed-only", "run.json")));
  assert.equal(run.derivedFrom, undefined);
  await Deno.stat(join(out, "seed-5", "seed-only", "pool.duckdb"));
});

Deno.test("a run replaying recorded data stages skips them and gives the same metrics", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serflow-replay-" });
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(file, PIPELINE);
  const p = await loadPipeline(file);
  const recorded: Record<string, import("../../src/contracts/types.ts").Batch[]> = { split: [] };
  const first = await runPipeline(p, {
    runDir: join(dir, "a"),
    quiet: true,
    tap: (id, b) => recorded[id]?.push(b),
  });
  assert.equal(recorded.split.length, first.batches.split);
  const second = await runPipeline(p, { runDir: join(dir, "b"), quiet: true, replay: recorded });
  assert.equal(second.batches.data, undefined, "the data stage did not run");
  assert.equal(second.batches.split, first.batches.split);
  assert.deepEqual(await readMetrics(join(dir, "b")), await readMetrics(join(dir, "a")));
  await assert.rejects(
    () => runPipeline(p, { runDir: join(dir, "c"), quiet: true, replay: { nope: [] } }),
    /Cannot replay stage 'nope' as pipeline 'tiny-share' has no stage with that id/,
  );
});
