import { assertEquals } from "./_assert.ts";
import { writePipeline } from "./_helpers.ts";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

Deno.test("Ctrl-C (SIGINT) stops a run cleanly: exit 130, run recorded as interrupted, resumable", async () => {
  const file = await writePipeline(`name: sigint
stages:
  - id: src
    use: $STAGES/count_source.ts
    with: { batches: 100000, delay_ms: 1 }
  - id: slow
    use: $STAGES/slow.ts
    with: { ms: 20 }
  - id: out
    use: write
`);
  const runDir = (await Deno.makeTempDir({ prefix: "serflow-sigint-" })) + "/run";
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "run", file, "--run-dir", runDir, "--progress", "none"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Wait until the run has started writing, then interrupt it.
  for (let i = 0; i < 200; i++) {
    try {
      if ((await Deno.stat(`${runDir}/out.jsonl`)).size > 0) break;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGINT");
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 130, stderr);
  assertEquals(stderr.includes("interrupting: finishing the current unit of work"), true, stderr);
  assertEquals(stderr.includes("run interrupted: resume with --resume"), true, stderr);
  assertEquals(JSON.parse(await Deno.readTextFile(`${runDir}/run.json`)).status, "interrupted");
  // The sink flushed whole rows: every line is valid JSON.
  const lines = (await Deno.readTextFile(`${runDir}/out.jsonl`)).trim().split("\n");
  for (const l of lines) JSON.parse(l);
});
