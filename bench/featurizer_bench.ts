/**
 * Featurizer throughput. Every benchmark featurizes about 1 MB (UTF-8) of text per iteration,
 * so MB/s = 1000 / (time per iteration in ms). Runs on a deterministic synthetic corpus, and on
 * HH-RLHF transcripts when `../shared/data/hh-rlhf` (beside the checkout) is present.
 *
 * Run: `deno bench -A bench/featurizer_bench.ts`
 *
 * @module
 */
import { pairBatch, type PairRow } from "../src/data/schema.ts";
import { DEFAULT_FEATURIZER, Featurizer, type FeaturizerConfig } from "../src/model/featurizer.ts";
import { featurizeBatch } from "../src/model/id_columns.ts";
import { Rng } from "../src/contracts/rng.ts";

const MB = 1_000_000;
const utf8 = (t: string) => new TextEncoder().encode(t).length;

/** Texts totalling about 1 MB of UTF-8, cycling through `source`. */
function oneMegabyte(source: string[]): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < MB; i++) {
    const t = source[i % source.length];
    out.push(t);
    bytes += utf8(t);
  }
  return out;
}

function syntheticTexts(): string[] {
  const rng = new Rng(1);
  const words = Array.from({ length: 5000 }, (_, i) => {
    const letters = "etaoinshrdlucmfwypvbgkjqxz";
    let w = "";
    for (let k = 0; k < 2 + (i % 9); k++) w += letters[(i * 7 + k * 13 + rng.int(26)) % 26];
    return w;
  });
  const punct = [".", ",", "?", "!", ";", ""];
  return Array.from({ length: 2000 }, () => {
    const n = 20 + rng.int(200);
    let t = "";
    for (let k = 0; k < n; k++) {
      t += (k && rng.next() < 0.1 ? punct[rng.int(punct.length)] + " " : " ") +
        (rng.next() < 0.05 ? "Café" : words[Math.floor(words.length * rng.next() ** 2)]);
    }
    return t;
  });
}

async function hhTexts(): Promise<string[] | null> {
  const path = new URL("../../shared/data/hh-rlhf/helpful-base/test.jsonl.gz", import.meta.url);
  try {
    const file = await Deno.open(path);
    const text = await new Response(file.readable.pipeThrough(new DecompressionStream("gzip")))
      .text();
    return text.split("\n").filter(Boolean).flatMap((l) => {
      const o = JSON.parse(l);
      return [o.chosen, o.rejected];
    });
  } catch {
    console.warn(`HH-RLHF not found at ${path.pathname}: benchmarking the synthetic corpus only`);
    return null;
  }
}

const corpora: [string, string[]][] = [["synthetic", oneMegabyte(syntheticTexts())]];
const hh = await hhTexts();
if (hh) corpora.push(["HH-RLHF", oneMegabyte(hh)]);

const CONFIGS: [string, FeaturizerConfig][] = [
  ["words + bigrams (default)", DEFAULT_FEATURIZER],
  ["words only", { ...DEFAULT_FEATURIZER, ngramMax: 1 }],
  ["words + bigrams + char 3-5-grams", { ...DEFAULT_FEATURIZER, charNgramMax: 5 }],
];

for (const [corpus, texts] of corpora) {
  for (const [name, cfg] of CONFIGS) {
    const f = new Featurizer({ ...cfg, maxTokens: 1 << 20 });
    Deno.bench({
      name: `featurize 1 MB of ${corpus} text, ${name}`,
      group: `featurizer ${corpus}`,
      baseline: name.endsWith("(default)"),
      warmup: 3,
      n: 20,
      fn: () => {
        f.featurizeTexts(texts, "response");
      },
    });
  }
  // The stage path: UTF-8 decode from Arrow, three text columns, List<Uint32> columns out.
  const third = Math.ceil(texts.length / 3);
  const rows: PairRow[] = Array.from({ length: third }, (_, i) => ({
    pair_id: `p${i}`,
    group_id: "g",
    prompt: texts[3 * i] ?? "",
    response_a: texts[3 * i + 1] ?? "",
    response_b: texts[3 * i + 2] ?? "",
    label: 1,
    split: "",
    gold: null,
    source: "bench",
  }));
  const batch = pairBatch(rows);
  const stageFeaturizer = new Featurizer({ ...DEFAULT_FEATURIZER, maxTokens: 1 << 20 });
  Deno.bench({
    name: `featurize stage: 1 MB of ${corpus} text in an Arrow batch (decode + id columns)`,
    group: `featurizer ${corpus}`,
    warmup: 3,
    n: 20,
    fn: () => {
      featurizeBatch(batch, stageFeaturizer);
    },
  });
}
