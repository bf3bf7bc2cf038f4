/**
 * Exports a small run in every format and hands the files to the real trainers' loaders:
 * TRL's RewardTrainer trains a tiny random-weight BERT on each for a few steps, and OpenRLHF's
 * reward dataset preprocessing reads the OpenRLHF files with its default keys.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { main as exportCli } from "../../src/cli/export.ts";
import { captureIo } from "./_helpers.ts";
import { exportRunPool } from "./_export_fixture.ts";
import { MISSING_PYTHON } from "./_python_peers.ts";

const CHECK = new URL("./trainer_check.py", import.meta.url).pathname;

interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
  trace?: string;
  rows: number;
  columns: string[];
  first: Record<string, unknown>;
  steps?: number;
  finite?: boolean;
  margin_used?: boolean;
  source?: string;
  chat_template?: boolean;
  openrlhf?: { chosen: string; rejected: string; margin: number; tokens: number }[];
}

Deno.test({
  name:
    "TRL's RewardTrainer trains on every export format; OpenRLHF reads its files by default keys",
  ignore: MISSING_PYTHON !== null,
  fn: async () => {
    const pool = await exportRunPool();
    const dir = await Deno.makeTempDir({ prefix: "serflow-trainers-" });
    const exports: [string, string[]][] = [
      ["trl.jsonl", ["--format", "trl-jsonl"]],
      ["trl-chat.jsonl", ["--format", "trl-jsonl", "--conversational"]],
      ["trl-margin.parquet", ["--format", "parquet", "--margin", "from-confidence"]],
      ["hf", ["--format", "hf-dataset", "--shard-rows", "4"]],
      ["hf-chat", ["--format", "hf-dataset", "--conversational"]],
      ["openrlhf.jsonl", ["--format", "openrlhf-jsonl", "--margin", "from-confidence"]],
      ["openrlhf-chat.jsonl", ["--format", "openrlhf-jsonl", "--conversational"]],
    ];
    for (const [out, args] of exports) {
      const cap = captureIo();
      assert.equal(
        await exportCli([pool, ...args, "--out", join(dir, out)], cap.io),
        0,
        cap.err[0],
      );
      assert.match(cap.err[0], /^exported 10 pairs \(4 human, 6 self\)/);
    }
    const cases = [
      { name: "trl", trainer: "trl", load: "json", path: "trl.jsonl" },
      { name: "trl-chat", trainer: "trl", load: "json", path: "trl-chat.jsonl" },
      { name: "trl-margin", trainer: "trl", load: "parquet", path: "trl-margin.parquet" },
      { name: "hf", trainer: "trl", load: "dir", path: "hf" },
      { name: "hf-chat", trainer: "none", load: "dir", path: "hf-chat" },
      { name: "openrlhf", trainer: "openrlhf", load: "json", path: "openrlhf.jsonl" },
      { name: "openrlhf-chat", trainer: "openrlhf", load: "json", path: "openrlhf-chat.jsonl" },
    ].map((c) => ({ ...c, path: join(dir, c.path), steps: 3 }));
    const manifest = join(dir, "manifest.json");
    await Deno.writeTextFile(manifest, JSON.stringify({ cases }));
    const out = await new Deno.Command("python3", {
      args: [CHECK, manifest],
      env: { HF_HOME: join(dir, "hf-home"), PYTHONWARNINGS: "ignore" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const lines = stdout.split("\n").filter((l) => l.startsWith("RESULT ")).map((l) => l.slice(7));
    assert.ok(out.success && stdout.includes("done"), new TextDecoder().decode(out.stderr));
    const results = new Map<string, CaseResult>(
      lines.map((l) => JSON.parse(l) as CaseResult).map((r) => [r.name, r]),
    );
    assert.deepEqual([...results.keys()], cases.map((c) => c.name));
    for (const r of results.values()) {
      assert.ok(r.ok, `${r.name}: ${r.error}\n${r.trace}`);
      assert.equal(r.rows, 10, r.name);
    }
    for (const c of cases.filter((c) => c.trainer === "trl")) {
      const r = results.get(c.name)!;
      assert.equal(r.steps, 3, c.name);
      assert.ok(r.finite, `${c.name}: loss not finite`);
      assert.equal(r.margin_used, c.name === "trl-margin", c.name);
    }
    // What the trainers saw: TRL's keys, a provenance object, messages where asked.
    const hf = results.get("hf")!;
    assert.deepEqual(hf.columns, ["prompt", "chosen", "rejected", "serflow"]);
    assert.deepEqual(hf.first.serflow, {
      pair_id: "p00",
      origin: "human",
      iteration: 0,
      rule: "seed",
      self_margin: 0,
    });
    const chat = results.get("hf-chat")!.first;
    assert.deepEqual(chat.prompt, [{ role: "user", content: "How do I bake bread at home?" }]);
    assert.deepEqual(chat.chosen, [{
      role: "assistant",
      content: "Mix flour, water, yeast and salt, let it rise, then bake at 230 C.",
    }]);
    assert.deepEqual(results.get("trl-margin")!.columns, [
      "prompt",
      "chosen",
      "rejected",
      "margin",
      "serflow",
    ]);
    // OpenRLHF: full texts by its default keys, the margin column read, chat template off.
    const o = results.get("openrlhf")!;
    assert.equal(o.chat_template, false);
    assert.equal(
      o.openrlhf![0].chosen,
      "\n\nHuman: How do I bake bread at home?\n\nAssistant: Mix flour, water, yeast and salt, " +
        "let it rise, then bake at 230 C.",
    );
    assert.deepEqual(o.openrlhf!.map((r) => r.margin), [0, 0, 0, 0, 0.25, 0.75, 0.4, 2, 1.25, 0.5]);
    assert.ok(o.openrlhf!.every((r) => r.tokens > 5));
    const oc = results.get("openrlhf-chat")!;
    assert.equal(oc.chat_template, true);
    assert.ok(oc.openrlhf![0].chosen.includes("user: How do I bake bread at home?"));
    assert.ok(oc.openrlhf![0].chosen.includes("assistant: Mix flour"));
    assert.deepEqual(oc.openrlhf!.map((r) => r.margin), Array(10).fill(0));
    await Deno.remove(dir, { recursive: true });
  },
});
