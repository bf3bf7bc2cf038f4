import assert from "node:assert/strict";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { renderTree } from "../../src/pipeline/graph.ts";
import { problemsOf, writePipeline } from "./_helpers.ts";

const HEAD = `name: hooks
stages:
  - id: data
    use: synthetic
  - id: split
    use: split
  - id: evolve
    use: ser
    with:
`;

Deno.test("stages inside ser's hooks are validated like any stage, with file:line:column", async () => {
  const problems = await problemsOf(
    HEAD + `      on_selected:
        - { use: filtr }
        - use: filter
          with: { wher: "margin > 1" }
        - { use: synthetic }
        - { use: head, colour: red }
        - 3
      on_iteration: [{ id: "bad id", use: head }]
`,
  );
  assert.deepEqual(problems, [
    "FILE:11:18: stage 'evolve': unknown stage 'filtr' (did you mean 'filter'?)",
    "FILE:13:17: stage 'evolve': missing required field 'where' (A JavaScript expression, e.g. `response_a.length > 20 && response_b.length > 20`.)",
    "FILE:13:19: stage 'evolve': unknown field 'wher' (did you mean 'where'?)",
    "FILE:14:18: stage 'evolve': stage 'synthetic' is a source stage: here a stage must be a transform (it receives batches and passes on the ones to keep)",
    "FILE:15:24: stage 'evolve': unknown key 'colour'; a stage here has id, use, with",
    "FILE:16:11: stage 'evolve': field 'on_selected[4]' must be a stage mapping with 'use' (and 'with', 'id'): current value is 3",
    "FILE:17:28: stage 'evolve': stage id must be a name of letters, digits, '_' or '-': current value is \"bad id\"",
  ]);
});

Deno.test("hook stages resolve to their modules, with ids from their names and a JSON form", async () => {
  const file = await writePipeline(
    HEAD +
      `      on_selected: [{ use: filter, with: { where: "margin > 1" } }, { use: head, with: { rows: 5 } }, { use: head }]
      on_iteration: [{ id: log, use: filter, with: { where: "true" } }]
`,
  );
  const p = await loadPipeline(file);
  const cfg = p.stages[2].config as {
    on_selected: { id: string }[];
    on_iteration: { id: string }[];
  };
  assert.deepEqual(cfg.on_selected.map((r) => r.id), ["filter", "head", "head-2"]);
  assert.deepEqual(cfg.on_iteration.map((r) => r.id), ["log"]);
  const resolved = p.resolved as { stages: { with: Record<string, unknown> }[] };
  assert.deepEqual(resolved.stages[2].with.on_selected, [
    { id: "filter", use: "filter", with: { where: "margin > 1" } },
    { id: "head", use: "head", with: { rows: 5 } },
    { id: "head-2", use: "head", with: { rows: 1000 } },
  ]);
});

Deno.test("graph shows the stages inside a stage under it, in order", async () => {
  const file = await writePipeline(
    HEAD +
      `      on_selected: [{ use: filter, with: { where: "margin > 1" } }, { id: top, use: head }]
`,
  );
  const p = await loadPipeline(file);
  const tree = renderTree(p.stages, p.name).split("\n");
  const at = tree.findIndex((l) => l.includes("evolve (ser)"));
  assert.equal(tree[at + 1].trim(), "on_selected: filter (filter) → top (head)");
});
