import { assertEquals } from "./_assert.ts";
import { problemsOf } from "./_helpers.ts";

const SRC = `  - id: src
    use: $STAGES/count_source.ts
`;

Deno.test("validation reports an unknown stage name with a suggestion and its position", async () => {
  assertEquals(await problemsOf(`name: t\nstages:\n${SRC}  - id: h\n    use: heda\n`), [
    "FILE:6:10: stage 'h': unknown stage 'heda' (did you mean 'head'?)",
  ]);
});

Deno.test("validation reports unknown and misspelt fields, missing required fields, all at once", async () => {
  const p = await problemsOf(
    `name: t\nstages:\n${SRC}  - id: f\n    use: filter\n    with: { wher: "x", extra: 1 }\n`,
  );
  assertEquals(p, [
    "FILE:7:11: stage 'f': missing required field 'where' (A JavaScript expression, e.g. `response_a.length > 20 && response_b.length > 20`.)",
    "FILE:7:13: stage 'f': unknown field 'wher' (did you mean 'where'?)",
    "FILE:7:24: stage 'f': unknown field 'extra'; fields are: where",
  ]);
});

Deno.test("validation reports wrong types and out-of-range values", async () => {
  const p = await problemsOf(
    `name: t\nseed: 1.5\nbackend: gpu\nstages:\n${SRC}    with: { batches: "three", rows: 0 }\n`,
  );
  assertEquals(p, [
    "FILE:2:7: key 'seed' must be an integer: current value is 1.5",
    "FILE:3:10: key 'backend' must be one of auto, webgpu, cpu: current value is \"gpu\" (did you mean 'cpu'?)",
    "FILE:7:22: stage 'src': field 'batches' must be an integer: current value is \"three\"",
    "FILE:7:37: stage 'src': field 'rows' must be >= 1: current value is 0",
  ]);
});

Deno.test("validation reports duplicate ids, missing inputs and cycles", async () => {
  const p = await problemsOf(
    `name: t\nstages:\n${SRC}  - id: a\n    use: head\n    inputs: [b]\n  - id: b\n    use: head\n    inputs: [a]\n  - id: a\n    use: head\n  - id: c\n    use: head\n    inputs: [srcc]\n`,
  );
  assertEquals(p, [
    "FILE:7:13: stage 'a': the stages form a cycle: a -> b -> a",
    "FILE:11:9: stage 'a': duplicate stage id 'a' (first used by stage #2)",
    "FILE:15:14: stage 'c': input 'srcc' names no stage (did you mean 'src'?)",
  ]);
});

Deno.test("validation reports a stage with no input and a source given one", async () => {
  const p = await problemsOf(`name: t\nstages:\n  - id: h\n    use: head\n${SRC}    inputs: [h]\n`);
  assertEquals(p, [
    "FILE:4:10: stage 'h': takes 1 input, got 0 (it is the first stage: put a source stage before it or set 'inputs')",
    "FILE:7:13: stage 'src': takes 0 inputs, got 1",
  ]);
});

Deno.test("validation reports YAML syntax errors with their position", async () => {
  const p = await problemsOf(`name: t\nstages:\n  - id: a\n    use: [head\n`);
  assertEquals(p.length >= 1, true);
  assertEquals(p[0].startsWith("FILE:"), true);
  assertEquals(p[0].includes("cannot parse"), true);
});

Deno.test("validation reports missing name, empty stages and unknown top-level keys", async () => {
  assertEquals(await problemsOf(`nme: t\nstages: []\n`), [
    "FILE:1:1: unknown key 'nme' (did you mean 'name'?)",
    "FILE:1:1: missing required key 'name' (The pipeline's name (names its run directory).)",
    "FILE:2:9: 'stages' is empty: add at least one stage",
  ]);
});

Deno.test("validation reports a module that does not load or is not a stage", async () => {
  const p = await problemsOf(
    `name: t\nstages:\n${SRC}  - id: x\n    use: $STAGES/not_a_stage.ts\n  - id: y\n    use: ./missing.ts\n`,
  );
  assertEquals(p.length, 2, p.join("\n"));
  assertEquals(
    /^FILE:6:10: stage 'x': module '\/.*not_a_stage\.ts' does not export a valid stage: expected `export function operator\(config, ctx\)`$/
      .test(p[0]),
    true,
    p[0],
  );
  assertEquals(
    p[1].startsWith("FILE:8:10: stage 'y': cannot load stage module './missing.ts':"),
    true,
  );
});

Deno.test("JSON pipeline files are accepted with positions", async () => {
  const p = await problemsOf(`{"name": "t", "stages": [{"id": "s", "use": "heda"}]}`);
  assertEquals(p, ["FILE:1:45: stage 's': unknown stage 'heda' (did you mean 'head'?)"]);
});
