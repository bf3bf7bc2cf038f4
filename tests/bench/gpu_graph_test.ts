/** The GPU benchmark must run with only the npm packages it imports: never DuckDB. */
import assert from "node:assert/strict";

const ENTRIES = [
  "bench/gpu_host.ts",
  "bench/lib/adapter_check.ts",
  "bench/lib/gpu_roofline.ts",
  "bench/e2e.ts",
  "bench/main.ts",
  "bench/peers/serflow_rm.ts",
  "bench/peers/tfjs_rm.ts",
];

Deno.test("the GPU benchmark's entry points do not import @duckdb/node-api", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  for (const entry of ENTRIES) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout));
    const specifiers: string[] = info.modules.map((m: { specifier: string }) => m.specifier);
    assert.ok(specifiers.length > 3, `${entry}: no graph`);
    const duck = specifiers.filter((s) => s.includes("duckdb"));
    assert.deepEqual(duck, [], `${entry} reaches ${duck.join(", ")}`);
  }
});

Deno.test("gpu.sh refuses a software adapter without --allow-software", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const check = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/lib/adapter_check.ts"],
    cwd: root,
    env: { NO_COLOR: "1" },
  }).output();
  const adapter = JSON.parse(new TextDecoder().decode(check.stdout));
  if (adapter !== null && !adapter.software) {
    console.warn("skipped: this machine has a hardware adapter");
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command("bash", {
      args: ["bench/gpu.sh", dir, "--quick"],
      cwd: root,
    }).output();
    assert.equal(out.code, 1);
    assert.match(new TextDecoder().decode(out.stderr), /Cannot run the GPU benchmark/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
