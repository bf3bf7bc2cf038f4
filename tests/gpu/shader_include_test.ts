import { compileShader, shaderSource } from "../../src/gpu/shader.ts";
import { expandIncludes } from "../../src/gpu/shader_include.ts";
import { gpuTest } from "./_webgpu.ts";
import assert from "node:assert/strict";

/** Reads from an in-memory shader directory (a missing file throws NotFound, as on disk). */
function files(map: Record<string, string>): (file: string) => Promise<string> {
  return (file) =>
    file in map
      ? Promise.resolve(map[file])
      : Promise.reject(new Deno.errors.NotFound(`No such file: ${file}`));
}

Deno.test("expandIncludes() pastes each file once, relative to the includer, with line origins", async () => {
  const read = files({
    "k.wgsl": '// #include "lib/a.wgsl"\n  //  #include   "lib/b.wgsl"  \nfn main() {}',
    "lib/a.wgsl": '// #include "c.wgsl"\nconst A = 1u;',
    "lib/b.wgsl": '// #include "../lib/c.wgsl"\nconst B = C;',
    "lib/c.wgsl": "const C = 2u;",
  });
  const x = await expandIncludes("k.wgsl", read);
  assert.equal(x.code, "const C = 2u;\nconst A = 1u;\nconst B = C;\nfn main() {}");
  assert.deepEqual(x.origins, [
    { file: "lib/c.wgsl", line: 1 },
    { file: "lib/a.wgsl", line: 2 },
    { file: "lib/b.wgsl", line: 2 },
    { file: "k.wgsl", line: 3 },
  ]);
});

Deno.test("expandIncludes() names the file and line of a bad directive", async () => {
  await assert.rejects(
    expandIncludes("k.wgsl", files({ "k.wgsl": "\n// #include lib/a.wgsl" })),
    {
      message: "Cannot expand the include at shaders/k.wgsl:2 as it must read " +
        "// #include \"file.wgsl\": current line is '// #include lib/a.wgsl'",
    },
  );
  await assert.rejects(
    expandIncludes("k.wgsl", files({ "k.wgsl": '// #include "lib/none.wgsl"' })),
    {
      message: 'Cannot include "lib/none.wgsl" at shaders/k.wgsl:1 as shaders/lib/none.wgsl ' +
        "does not exist",
    },
  );
  await assert.rejects(
    expandIncludes(
      "k.wgsl",
      files({ "k.wgsl": '// #include "a.wgsl"', "a.wgsl": 'x\n// #include "k.wgsl"' }),
    ),
    {
      message: 'Cannot include "k.wgsl" at shaders/a.wgsl:2 as it includes itself: ' +
        "k.wgsl -> a.wgsl -> k.wgsl",
    },
  );
  await assert.rejects(
    expandIncludes("k.wgsl", files({ "k.wgsl": '// #include "../up.wgsl"' })),
    {
      message:
        'Cannot include "../up.wgsl" at shaders/k.wgsl:1 as it leaves the shaders/ directory',
    },
  );
});

Deno.test("every kernel in shaders/ expands with no directive left", async () => {
  for await (const e of Deno.readDir(new URL("../../shaders/", import.meta.url))) {
    if (!e.isFile || !e.name.endsWith(".wgsl")) continue;
    const code = await shaderSource(e.name.slice(0, -5));
    assert.ok(!code.includes("#include"), e.name);
    assert.ok(code.includes("@compute"), e.name);
  }
});

gpuTest(
  "a compile error in an included file shows the expanded source and names the file",
  async (gpu) => {
    const x = await expandIncludes(
      "k.wgsl",
      files({
        "k.wgsl":
          '// #include "lib/f.wgsl"\n@compute @workgroup_size(1)\nfn main() {\n  let y = f(1.0);\n}',
        "lib/f.wgsl": "// f: doubles\nfn f(x: f32) -> f32 {\n  return x * two;\n}",
      }),
    );
    const err = await compileShader(gpu, "k", x).then(() => null, (e) => e as Error);
    assert.ok(err, "the shader should not compile");
    // The compiler's excerpt is of the expanded source (line 3 there), and the note maps it back.
    assert.match(err.message, /Cannot compile WGSL shader 'k'/);
    assert.match(err.message, /return x \* two;/);
    assert.match(err.message, /expanded line 3 is shaders\/lib\/f\.wgsl:3:\d+/);
  },
);
