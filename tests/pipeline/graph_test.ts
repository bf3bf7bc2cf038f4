import { assertEquals } from "./_assert.ts";
import { writePipeline } from "./_helpers.ts";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { renderDot, renderTree } from "../../src/pipeline/graph.ts";

const PIPE = `name: g
stages:
  - id: a
    use: $STAGES/count_source.ts
  - id: b
    use: $STAGES/count_source.ts
  - id: firsts
    use: head
    inputs: [a]
  - id: both
    use: write
    inputs: [firsts, b]
`;

Deno.test("graph prints an indented tree with joins marked", async () => {
  const p = await loadPipeline(await writePipeline(PIPE));
  assertEquals(
    renderTree(p.stages, p.name),
    [
      "g",
      "├─ a (" + p.stages[0].use + ")  Emits numbered pair batches (tests).",
      "│  └─ firsts (head)  Keeps the first N rows and stops reading upstream.",
      "│     └─ both (write)  [joins firsts, b]  Writes rows as JSON Lines under the run directory and passes them on.",
      "└─ b (" + p.stages[1].use + ")  Emits numbered pair batches (tests).",
      "   └─ both (write)  [joins firsts, b]  (shown above)",
    ].join("\n"),
  );
});

Deno.test("graph --dot prints Graphviz edges for every input", async () => {
  const p = await loadPipeline(await writePipeline(PIPE));
  const dot = renderDot(p.stages, p.name);
  assertEquals(dot.startsWith('digraph "g" {'), true);
  for (const e of ['"a" -> "firsts";', '"firsts" -> "both";', '"b" -> "both";']) {
    assertEquals(dot.includes(e), true, e);
  }
});
