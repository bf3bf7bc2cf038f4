import { assertEquals } from "./_assert.ts";
import { parse } from "yaml";
import { BUILTIN_STAGES } from "../../src/stages/registry.ts";
import { checkFields } from "../../src/pipeline/fields.ts";
import { stageDoc } from "../../src/pipeline/docs.ts";

for (const [name, m] of Object.entries(BUILTIN_STAGES)) {
  Deno.test(`stage '${name}': its spec is documented and every example validates`, () => {
    assertEquals(m.spec.name, name);
    assertEquals(m.spec.examples.length >= 1, true, "a spec needs at least one example");
    for (const [k, f] of Object.entries(m.spec.fields)) {
      assertEquals(f.description.length > 0, true, `field ${k} has no description`);
    }
    for (const ex of m.spec.examples) {
      const snippet = parse(ex.yaml) as { use: string; with?: unknown };
      assertEquals(snippet.use, name, `example '${ex.title}' uses '${snippet.use}'`);
      const problems: string[] = [];
      checkFields(snippet.with, m.spec.fields, [], (msg) => problems.push(msg));
      assertEquals(problems, [], `example '${ex.title}'`);
    }
    assertEquals(stageDoc(m.spec).startsWith(`## \`${name}\``), true);
  });
}

Deno.test("docs/stages.md is generated from the current specs", async () => {
  const { stagesReference } = await import("../../src/cli/docs.ts");
  const text = await Deno.readTextFile(new URL("../../docs/stages.md", import.meta.url));
  assertEquals(
    text === stagesReference(),
    true,
    "docs/stages.md is out of date: run 'deno task docs'",
  );
});
