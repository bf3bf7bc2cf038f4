import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  importSpecifiers,
  layerOf,
  LAYERS,
  layerViolations,
  srcImports,
  stripComments,
} from "./_graph.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("no file in src/ imports a higher layer (or a peer of its own layer)", async () => {
  const edges = await srcImports(ROOT);
  assert.ok(edges.length > 300, `only ${edges.length} imports found: is the parser broken?`);
  assert.deepEqual(layerViolations(edges), []);
});

Deno.test("every folder of src/ has a layer", async () => {
  const missing: string[] = [];
  for await (const e of Deno.readDir(`${ROOT}/src`)) {
    if (e.isDirectory && layerOf(`src/${e.name}/x.ts`) < 0) missing.push(e.name);
  }
  assert.deepEqual(missing, [], `add these folders to LAYERS in tests/layers/_graph.ts`);
});

Deno.test("the layer order puts contracts at the bottom and the issue's forbidden edges upward", () => {
  const rank = (d: string) => layerOf(`src/${d}/x.ts`);
  assert.equal(rank("contracts"), 0);
  assert.deepEqual(LAYERS.at(-1), ["cli"]);
  for (const [low, high] of [["stages", "pipeline"], ["gpu", "model"], ["pipeline", "util"]]) {
    assert.ok(rank(low) > rank(high), `${low} must sit above ${high}`);
  }
  // data and pool: data is below pool, so pool may read data but not the other way.
  assert.ok(rank("pool") > rank("data"));
});

Deno.test("layerViolations() reports each forbidden edge with its file and line", () => {
  const edges = [
    { from: "src/pipeline/load.ts", to: "src/stages/registry.ts", line: 16 },
    { from: "src/model/open_backend.ts", to: "src/gpu/device.ts", line: 7 },
    { from: "src/util/log.ts", to: "src/pipeline/types.ts", line: 6 },
    { from: "src/data/rejects.ts", to: "src/pool/run_pool.ts", line: 7 },
    { from: "src/model/fit.ts", to: "src/pool/pool.ts", line: 3 },
    { from: "src/stages/ser.ts", to: "src/ser/loop.ts", line: 3 },
    { from: "src/ser/loop.ts", to: "src/ser/iteration.ts", line: 3 },
  ];
  assert.deepEqual(layerViolations(edges), [
    "src/pipeline/load.ts:16 imports src/stages/registry.ts (pipeline -> stages)",
    "src/model/open_backend.ts:7 imports src/gpu/device.ts (model -> gpu)",
    "src/util/log.ts:6 imports src/pipeline/types.ts (util -> pipeline)",
    "src/data/rejects.ts:7 imports src/pool/run_pool.ts (data -> pool)",
    "src/model/fit.ts:3 imports src/pool/pool.ts (model -> pool)",
  ]);
});

Deno.test("importSpecifiers() finds every import form and skips comments and strings", () => {
  const src = [
    `import { a } from "./a.ts";`,
    `import type { B } from '../b/b.ts';`,
    `export { c } from "./c.ts";`,
    `export * from "./d.ts";`,
    `import "./side.ts";`,
    `const m = await import("./lazy.ts");`,
    `import {`,
    `  e,`,
    `} from "./e.ts";`,
    `/**`,
    ` * import { x } from "../../cli/main.ts";`,
    ` */`,
    `// import { y } from "../stages/y.ts";`,
    `const s = "import { z } from '../z.ts'";`,
  ].join("\n");
  assert.deepEqual(
    importSpecifiers(src).sort((p, q) => p.line - q.line),
    [
      { spec: "./a.ts", line: 1 },
      { spec: "../b/b.ts", line: 2 },
      { spec: "./c.ts", line: 3 },
      { spec: "./d.ts", line: 4 },
      { spec: "./side.ts", line: 5 },
      { spec: "./lazy.ts", line: 6 },
      { spec: "./e.ts", line: 9 },
    ],
  );
  assert.equal(stripComments("a /* b */ c").length, "a /* b */ c".length);
});
