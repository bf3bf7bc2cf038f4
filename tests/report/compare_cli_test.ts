import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../src/cli/compare.ts";

const PIPELINE = `name: tiny-compare
seed: 3
backend: cpu
stages:
  - id: data
    use: synthetic
    with: { pairs: 600 }
  - id: split
    use: split
    with: { seed_fraction: 0.1, validation_fraction: 0.15, test_fraction: 0.25 }
  - id: evolve
    use: ser
    with:
      model: { buckets: 1024, dim: 4, hidden: 8 }
      train: { epochs: 2 }
      stop: { max_iterations: 2 }
  - id: report
    use: report
`;

Deno.test("compare runs seed-only, ser and all-labels per seed and writes compare.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serflow-compare-" });
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(file, PIPELINE);
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(...a.join(" ").split("\n"));
  let code;
  try {
    code = await main([file, "--seeds", "2", "--run-dir", join(dir, "out")]);
  } finally {
    console.log = log;
  }
  assert.equal(code, 0);
  const r = JSON.parse(await Deno.readTextFile(join(dir, "out", "compare.json")));
  assert.deepEqual(r.seeds, [3, 4]);
  for (const m of ["seed-only", "ser", "all-labels"]) {
    assert.equal(r.methods[m].runs.length, 2);
    for (const k of ["mean", "std", "labels"]) {
      assert.equal(typeof r.methods[m][k], "number", `${m}.${k}`);
    }
  }
  assert.ok(r.methods["all-labels"].labels > r.methods.ser.labels);
  assert.equal(r.methods["seed-only"].labels, r.methods.ser.labels);
  assert.ok(r.gapClosed === null || typeof r.gapClosed === "number");
  assert.deepEqual(Object.keys(r.diff).sort(), ["mean", "runs", "std"]);
  // Each method's run left its own metrics, and the SER report knows the two reference levels.
  const serMetrics = JSON.parse(
    await Deno.readTextFile(join(dir, "out", "seed-3", "ser", "metrics.json")),
  );
  assert.equal(serMetrics.baselines.seedOnly, r.methods["seed-only"].runs[0]);
  assert.equal(serMetrics.baselines.allLabels, r.methods["all-labels"].runs[0]);
  assert.ok(lines.some((l) => l.startsWith("SER - seed-only:")));
  assert.ok(lines.some((l) => /^gap closed/.test(l)));
  // The runs share one feature cache next to them.
  assert.ok([...Deno.readDirSync(join(dir, "out", "cache", "features"))].length > 0);
});

Deno.test("compare refuses a pipeline without a ser stage, and bad --seeds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serflow-compare-" });
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(file, "name: x\nstages:\n  - id: data\n    use: synthetic\n");
  await assert.rejects(
    () => main([file]),
    new Error("Cannot compare as pipeline 'x' has no 'ser' stage: add one (use: ser)"),
  );
  const err = console.error;
  console.error = () => {};
  try {
    assert.equal(await main([file, "--seeds", "0"]), 2);
  } finally {
    console.error = err;
  }
});

Deno.test("compare --methods puts the listed variants in one table", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serflow-compare-" });
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(file, PIPELINE);
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(...a.join(" ").split("\n"));
  let code;
  try {
    code = await main([
      file,
      "--seeds",
      "1",
      "--methods",
      "seed-only,ser:committee+soft,all-labels",
      "--run-dir",
      join(dir, "out"),
    ]);
  } finally {
    console.log = log;
  }
  assert.equal(code, 0);
  const r = JSON.parse(await Deno.readTextFile(join(dir, "out", "compare.json")));
  assert.deepEqual(r.order, ["seed-only", "ser:committee+soft", "all-labels"]);
  assert.equal(r.methods["ser:committee+soft"].runs.length, 1);
  const run = JSON.parse(
    await Deno.readTextFile(join(dir, "out", "seed-3", "ser_committee+soft", "run.json")),
  );
  const evolve = run.config.stages.find((s: { id: string }) => s.id === "evolve");
  assert.equal(evolve.with.select.committee, 5);
  assert.equal(evolve.with.train.targets, "soft");
  assert.ok(lines.some((l) => /^ser:committee\+soft\s+\d/.test(l)));
  assert.ok(lines.some((l) => /^compare wall time: \d+ s$/.test(l)));
});

Deno.test("compare --methods rejects an unknown preset with a usage error", async () => {
  const errors: string[] = [];
  const err = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    assert.equal(await main(["x.yaml", "--methods", "ser:comittee"]), 2);
  } finally {
    console.error = err;
  }
  assert.match(errors[0], /unknown preset 'comittee' in 'ser:comittee': use one of paper, auto/);
});
