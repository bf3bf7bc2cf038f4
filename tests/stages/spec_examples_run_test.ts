// Every spec example, built-in and in pipelines/examples/stages/, RUN (not only validated): each
// example's snippet becomes one stage of a tiny pipeline, after the stages it needs upstream
// (data, a split, a trained model), with sizes capped so that each run takes a second or two.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { StageModule } from "../../src/contracts/types.ts";
import { definePipeline } from "../../src/stages/pipelines.ts";
import { BUILTIN_STAGES } from "../../src/stages/registry.ts";
import { runPipeline } from "../../src/pipeline/run.ts";

type Raw = Record<string, unknown>;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const USER_DIR = join(ROOT, "pipelines/examples");
const SMALL_MODEL = { buckets: 4096, dim: 8, hidden: 16 };

const DATA = { id: "data", use: "synthetic", with: { pairs: 300 } };
const SPLIT = {
  id: "split",
  use: "split",
  with: { seed_fraction: 0.2, validation_fraction: 0.2, test_fraction: 0.2 },
};
const TRAIN = {
  id: "fit",
  use: "train",
  with: { model: SMALL_MODEL, train: { epochs: 8 }, splits: ["seed", "validation"] },
};
const SCORE = { id: "scored", use: "score" };

/** The stages an example of `name` needs before it. */
function upstream(name: string, kind: string): Raw[] {
  if (kind === "source") return [];
  switch (name) {
    case "score":
    case "evaluate":
      return [DATA, SPLIT, TRAIN];
    case "select": {
      // A confident model, so that the thresholds of the examples keep some pairs.
      const strong = { ...TRAIN, with: { ...TRAIN.with, train: { epochs: 30, lr: 0.05 } } };
      return [{ ...DATA, with: { pairs: 600 } }, SPLIT, strong, SCORE];
    }
    case "report":
      return [DATA, SPLIT, { id: "evolve", use: "ser", with: capped("ser", {}) }];
    case "ser":
    case "train":
    case "pool":
      return [DATA, SPLIT];
    case "embed":
      return [{ ...DATA, with: { pairs: 40 } }];
    default:
      return [DATA];
  }
}

/** The example's `with:`, with sizes capped for a quick run. */
function capped(name: string, w: Raw): Raw {
  const sub = (k: string) => (w[k] ?? {}) as Raw;
  switch (name) {
    case "synthetic":
      return { ...w, pairs: Math.min(Number(w.pairs ?? 300), 300) };
    case "featurize":
      return { ...w, buckets: Math.min(Number(w.buckets ?? 4096), 4096) };
    case "train":
      return {
        ...w,
        model: { ...sub("model"), ...SMALL_MODEL },
        train: { ...sub("train"), epochs: 2 },
      };
    case "ser":
      return {
        ...w,
        model: { ...sub("model"), ...SMALL_MODEL },
        train: { ...sub("train"), epochs: 2 },
        stop: {
          ...sub("stop"),
          max_iterations: Math.min(Number(sub("stop").max_iterations ?? 1), 1),
        },
      };
    default:
      return w;
  }
}

/** A folder with the files the built-in examples name (data files, a saved model). */
async function fixtureDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "serflow-examples-" });
  const data = join(ROOT, "tests/testdata/data");
  await Deno.mkdir(join(dir, "data/hh"), { recursive: true });
  const turn = (q: string, a: string) => JSON.stringify(`\n\nHuman: ${q}\n\nAssistant: ${a}`);
  const lines = [["How do I bake bread?", "Knead, rise, bake.", "Buy some."], [
    "What is 2 + 2?",
    "4.",
    "5.",
  ]].map(([q, good, bad]) => `{"chosen": ${turn(q, good)}, "rejected": ${turn(q, bad)}}`);
  const hh = new Blob([lines.join("\n") + "\n"]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  await Deno.writeFile(join(dir, "data/hh/part-0.jsonl.gz"), hh);
  await Deno.copyFile(join(data, "pandalm_small.json"), join(dir, "data/pandalm.json"));
  await Deno.copyFile(join(data, "pairwise.csv"), join(dir, "data/prefs.csv"));
  const p = await definePipeline({
    name: "model",
    seed: 3,
    backend: "cpu",
    stages: [DATA, SPLIT, TRAIN],
  });
  const runDir = join(dir, "model-run");
  assert.equal((await runPipeline(p, { runDir, quiet: true })).status, "completed");
  await Deno.mkdir(join(dir, "models"));
  await Deno.copyFile(join(runDir, "checkpoints/fit.ckpt"), join(dir, "models/rm.ckpt"));
  // The tiny random-weight BERT fixture stands in for the encoders the `embed` examples name.
  for (const name of ["all-MiniLM-L6-v2", "bge-small-en-v1.5"]) {
    await Deno.mkdir(join(dir, "models", name));
    for (const f of ["config.json", "model.safetensors", "tokenizer.json"]) {
      await Deno.copyFile(join(ROOT, "tests/fixtures/tiny_bert", f), join(dir, "models", name, f));
    }
  }
  return dir;
}

async function runExample(module: StageModule, title: string, yaml: string, dir: string) {
  const snippet = parse(yaml) as Raw & { use: string; with?: Raw; inputs?: string[] };
  const name = snippet.use === module.spec.name || snippet.use.startsWith(".")
    ? module.spec.name
    : snippet.use; // a hook example: `use: ser` with the stage inside
  const kind = snippet.use.startsWith(".")
    ? (module.spec.kind ?? "transform")
    : (BUILTIN_STAGES[name]?.spec.kind ?? "transform");
  let stages: Raw[];
  if (snippet.inputs) {
    // A stage joining named inputs: one small source per name, the same world twice.
    stages = snippet.inputs.map((id) => ({ ...DATA, id, with: { pairs: 100 } }));
  } else stages = upstream(name, kind);
  const under = { ...snippet, id: "example", with: capped(name, snippet.with ?? {}) };
  const p = await definePipeline(
    { name: "example", seed: 5, backend: "cpu", stages: [...stages, under] },
    { dir },
  );
  const runDir = join(await Deno.makeTempDir({ prefix: "serflow-example-run-" }), "run");
  const r = await runPipeline(p, { runDir, quiet: true });
  assert.equal(r.status, "completed", `example '${title}'`);
  if (kind !== "sink") {
    assert.ok((r.batches.example ?? 0) > 0, `example '${title}' emitted nothing`);
  }
  return runDir;
}

const fixtures = fixtureDir();

for (const [name, module] of Object.entries(BUILTIN_STAGES)) {
  for (const ex of module.spec.examples) {
    Deno.test(`stage '${name}', example '${ex.title}': runs in a tiny pipeline`, async () => {
      await runExample(module, ex.title, ex.yaml, await fixtures);
    });
  }
}

for (const file of [...Deno.readDirSync(join(USER_DIR, "stages"))].map((e) => e.name).sort()) {
  const module = await import(join(USER_DIR, "stages", file)) as StageModule;
  for (const ex of module.spec.examples) {
    Deno.test(`user stage '${file}', example '${ex.title}': runs in a tiny pipeline`, async () => {
      await runExample(module, ex.title, ex.yaml, USER_DIR);
    });
  }
}

Deno.test("the example fixtures are cleaned up", async () => {
  await Deno.remove(await fixtures, { recursive: true });
});
