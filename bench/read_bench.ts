/**
 * Reader throughput and memory: rows/s and MB/s reading the HH-RLHF test files (when
 * `../shared/data` is beside the checkout), and the peak resident memory of a child process that
 * streams a large generated JSONL file (~1 GB by default) through the reader into Arrow batches.
 *
 * Run: `deno run -A bench/read_bench.ts [--size-mb 1024] [--repeats 3] [--json]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newReadStats, readPairs, type ReadStats } from "../src/data/read_pairs.ts";
import { type Preset, resolveFields } from "../src/data/presets.ts";
import { DEFAULT_LABEL_VALUES } from "../src/data/label_values.ts";
import { buildPairBatch } from "../src/data/pair_batch_builder.ts";
import { Rng } from "../src/contracts/rng.ts";
import { peakRssBytes } from "./lib/machine.ts";

const MB = 1_000_000;
const SHARED = fileURLToPath(new URL("../../shared/data/hh-rlhf/", import.meta.url));

/** Reads `files` fully (pairs to Arrow batches, then dropped) and returns the account and time. */
async function readAllFiles(
  files: string[],
  preset: Preset,
): Promise<{ stats: ReadStats; seconds: number }> {
  const stats = newReadStats();
  const t0 = performance.now();
  for await (
    const rows of readPairs({
      files,
      fileType: "auto",
      preset,
      fields: resolveFields(preset),
      labels: DEFAULT_LABEL_VALUES,
      ties: "drop",
      batchSize: 1024,
      onError: "fail",
      dedupe: true,
      seed: 7,
    }, stats)
  ) buildPairBatch(rows);
  return { stats, seconds: (performance.now() - t0) / 1000 };
}

/** Writes about `mb` MB of prompt/chosen/rejected JSON Lines to `path`, streaming. */
async function generateJsonl(path: string, mb: number): Promise<number> {
  const rng = new Rng(1);
  const words = Array.from({ length: 4000 }, (_, i) => `w${i.toString(36)}`);
  const text = (n: number) =>
    Array.from({ length: n }, () => words[Math.floor(words.length * rng.next() ** 2)]).join(" ");
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let bytes = 0, rows = 0, chunk: string[] = [];
  try {
    while (bytes < mb * MB) {
      const line =
        JSON.stringify({ prompt: `q${rows} ${text(30)}`, chosen: text(60), rejected: text(50) }) +
        "\n";
      chunk.push(line);
      bytes += line.length;
      rows++;
      if (chunk.length === 2000) {
        await file.write(enc.encode(chunk.join("")));
        chunk = [];
      }
    }
    if (chunk.length) await file.write(enc.encode(chunk.join("")));
  } finally {
    file.close();
  }
  return rows;
}

/** Child mode: stream one file and print its account, time and peak RSS as JSON. */
async function child(path: string): Promise<void> {
  const { stats, seconds } = await readAllFiles([path], "prompt-chosen-rejected");
  console.log(JSON.stringify({ rows: stats.kept, seconds, peakRss: peakRssBytes() }));
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "size-mb": { type: "string", default: "1024" },
      repeats: { type: "string", default: "3" },
      json: { type: "boolean", default: false },
      "child-read": { type: "string" },
    },
  });
  if (values["child-read"]) {
    await child(values["child-read"]);
    return 0;
  }
  const results: Record<string, unknown> = {};
  const hh = ["harmless-base", "helpful-base"].map((d) => join(SHARED, d, "test.jsonl.gz"));
  if (hh.every(existsSync)) {
    const gz = hh.reduce((s, f) => s + Deno.statSync(f).size, 0);
    let raw = 0;
    for (const f of hh) {
      for await (
        const c of (await Deno.open(f)).readable.pipeThrough(new DecompressionStream("gzip"))
      ) raw += c.length;
    }
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < Number(values.repeats); i++) {
      const r = await readAllFiles(hh, "hh-rlhf");
      times.push(r.seconds);
      rows = r.stats.read;
    }
    const best = Math.min(...times);
    results.hh = {
      rows,
      seconds: best,
      rowsPerSec: rows / best,
      mbPerSecUncompressed: raw / MB / best,
      mbPerSecGzip: gz / MB / best,
    };
    console.error(
      `HH-RLHF test (2 files, ${rows} rows, ${
        (raw / MB).toFixed(1)
      } MB): best of ${times.length} ` +
        `${best.toFixed(2)} s = ${(rows / best).toFixed(0)} rows/s, ${
          (raw / MB / best).toFixed(1)
        } MB/s uncompressed`,
    );
  } else {
    console.error(`skipping HH-RLHF: ${SHARED} is absent`);
  }
  const dir = await Deno.makeTempDir({ prefix: "serflow-read-bench-" });
  try {
    const path = join(dir, "large.jsonl");
    const rows = await generateJsonl(path, Number(values["size-mb"]));
    const size = Deno.statSync(path).size;
    const self = fileURLToPath(import.meta.url);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", self, "--child-read", path],
      stderr: "inherit",
    }).output();
    if (!out.success) {
      throw new Error(
        `Cannot measure streaming memory as the child read failed (exit ${out.code})`,
      );
    }
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    results.large = {
      bytes: size,
      rows,
      seconds: r.seconds,
      rowsPerSec: r.rows / r.seconds,
      mbPerSec: size / MB / r.seconds,
      peakRssMB: r.peakRss / MB,
    };
    console.error(
      `large JSONL (${(size / MB).toFixed(0)} MB, ${rows} rows): ${r.seconds.toFixed(1)} s = ` +
        `${(size / MB / r.seconds).toFixed(1)} MB/s, peak RSS ${(r.peakRss / MB).toFixed(0)} MB`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
