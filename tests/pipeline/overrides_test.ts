import { assertEquals } from "./_assert.ts";
import { problemsOf, writePipeline } from "./_helpers.ts";
import { loadPipeline } from "../../src/stages/pipelines.ts";

const PIPE = `name: t
seed: 1
stages:
  - id: src
    use: $STAGES/count_source.ts
    with: { batches: 2 }
  - id: h
    use: head
`;

Deno.test("--set overrides stage fields and top-level keys, typed by the spec", async () => {
  const p = await loadPipeline(await writePipeline(PIPE), {
    sets: [
      "stages.src.with.batches=5",
      "stages.src.with.prefix=007",
      "seed=9",
      "backend=cpu",
      "stages.h.with.rows=3",
    ],
  });
  assertEquals(p.stages[0].config, { batches: 5, rows: 2, prefix: "007", delay_ms: 0 });
  assertEquals(p.stages[1].config, { rows: 3 });
  assertEquals([p.seed, p.backend], [9, "cpu"]);
  assertEquals((p.resolved.stages as { with: unknown }[])[0].with, {
    batches: 5,
    rows: 2,
    prefix: "007",
    delay_ms: 0,
  });
});

Deno.test("--set reports type errors, unknown fields and unknown stages with the argument", async () => {
  assertEquals(
    await problemsOf(PIPE, [
      "stages.src.with.batches=many",
      "stages.src.with.btches=1",
      "stages.hh.with.rows=1",
      "backend=gpu",
      "seed",
      "stages.h.with.rows=-2",
    ]),
    [
      "--set stages.src.with.batches=many: stage 'src': field 'batches' must be an integer: current value is \"many\"",
      "--set stages.src.with.btches=1: stage 'src': unknown field 'btches' (did you mean 'batches'?)",
      "--set stages.hh.with.rows=1: no stage with id 'hh' (did you mean 'h'?)",
      "--set seed: expected path=value, e.g. stages.evolve.with.train.lr=0.02",
      "--set backend=gpu: key 'backend' must be one of auto, webgpu, cpu: current value is \"gpu\" (did you mean 'cpu'?)",
      "--set stages.h.with.rows=-2: stage 'h': field 'rows' must be >= 0: current value is -2",
    ],
  );
});
