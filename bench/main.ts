/**
 * `deno task bench`: kernel micro-benchmarks, end-to-end SER, the peers (TF.js wasm/webgpu,
 * PyTorch) on the same featurized data, and cost growth; JSON under `bench/results/`, plots under
 * `docs/benchmarks/`, a row in BENCHMARKS.md's runs table.
 *
 * Usage: `deno task bench [--quick] [--only micro,host,e2e,peers,growth,serve] [--out-dir DIR]
 * [--no-md] [--plots-dir DIR] [--peer-pairs N] [--peer-rounds R] [--peers a,b]
 * [--e2e-sizes a,b] [--e2e-retrain scratch,incremental] [--iterations K] [--no-pool] [--max-point-s S] [--host-pairs N]
 * [--serve-requests N] [--serve-rounds R] [--serve-concurrency a,b] [--serve-backend B]
 * [--serve-peers a,b]`
 *
 * `host` is the GPU training step's host time and the planner / host / device timeline
 * (`bench/gpu_host.ts`; skipped without an adapter). `serve` (the HTTP load test of
 * `deno task serve`, see `bench/serve.ts`) and `encoder` (pretrained-encoder tokens/s: WebGPU,
 * the TypeScript reference and PyTorch, see `bench/encoder_bench.ts`; `--encoder-seqs N
 * --encoder-len L`) run only when named in `--only`.
 *
 * `--quick` is a one-minute check of the harness: tiny sizes, one round, CPU peers only, and
 * nothing written to BENCHMARKS.md or `docs/` unless asked.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Retrain, runE2e } from "./e2e.ts";
import { runEncoderBench } from "./encoder_bench.ts";
import { runGrowth } from "./lib/growth.ts";
import { runHostSection } from "./lib/host_section.ts";
import { describeMachine, machineTag } from "./lib/machine.ts";
import { runMicroBenches } from "./lib/micro.ts";
import { writePeerData } from "./lib/peer_data.ts";
import { buildPeerData } from "./lib/peer_setup.ts";
import { PEER_IDS } from "./lib/peer_specs.ts";
import { runPeers } from "./lib/peers.ts";
import { renderPlots } from "./lib/plots.ts";
import {
  addRunRow,
  type BenchResults,
  gitCommitOf,
  resultPath,
  runRow,
  writeResults,
} from "./lib/results.ts";
import { serOptions } from "./lib/ser_run.ts";
import { replaceLatest, summaryMarkdown } from "./lib/summary_md.ts";
import { worldData } from "./lib/world_data.ts";
import { E2E_MODEL, E2E_TRAIN } from "./e2e.ts";
import { BATCH_SETTINGS, replaceServeSection, runServeBench, serveMarkdown } from "./serve.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The sections a full run has. */
const SECTIONS = ["micro", "host", "e2e", "peers", "growth"];
const list = (s: string) => s.split(",").map((x) => x.trim()).filter((x) => x);
const log = (msg: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/**
 * Runs the benchmark.
 *
 * @param args Command-line arguments.
 * @returns The exit code (1 when a section failed).
 * @example
 * ```ts ignore
 * Deno.exit(await main(["--quick"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", default: SECTIONS.join(",") },
      "encoder-seqs": { type: "string" },
      "encoder-len": { type: "string" },
      "out-dir": { type: "string", default: `${ROOT}/bench/results` },
      "plots-dir": { type: "string" },
      "no-md": { type: "boolean", default: false },
      "peer-pairs": { type: "string" },
      "peer-rounds": { type: "string" },
      "peer-epochs": { type: "string" },
      peers: { type: "string" },
      "e2e-sizes": { type: "string" },
      "e2e-backends": { type: "string", default: "cpu,webgpu" },
      "e2e-retrain": { type: "string", default: "scratch" },
      "e2e-webgpu-sizes": { type: "string" },
      iterations: { type: "string" },
      "no-pool": { type: "boolean", default: false },
      "max-point-s": { type: "string" },
      seed: { type: "string", default: "7" },
      "host-pairs": { type: "string" },
      "serve-requests": { type: "string" },
      "serve-rounds": { type: "string" },
      "serve-concurrency": { type: "string" },
      "serve-backend": { type: "string", default: "cpu" },
      "serve-peers": { type: "string" },
    },
  });
  const quick = v.quick!;
  const only = new Set(list(v.only!));
  const seed = Number(v.seed);
  const t0 = performance.now();
  const machine = await describeMachine();
  const date = new Date().toISOString();
  log(
    `machine: ${machine.cpu}, ${machine.cores} cores; adapter: ${
      machine.adapter?.description ?? "none"
    }; load ${machine.loadAverage.join(" ")}`,
  );
  let failed = false;
  const path = resultPath(v["out-dir"]!, date, machineTag(machine), quick);
  // A partial run (--only) on the same day and machine adds its sections to that day's file.
  const sections: Record<string, unknown> = quick ? {} : await Deno.readTextFile(path)
    .then((t) => (JSON.parse(t) as BenchResults).sections ?? {}, () => ({}));
  const gitCommit = await gitCommitOf(ROOT);
  const snapshot = (): BenchResults => ({
    version: 1,
    date,
    command: `deno task bench ${args.join(" ")}`.trim(),
    quick,
    machine,
    loadAverageEnd: Deno.loadavg().map((x) => Math.round(x * 100) / 100),
    seconds: (performance.now() - t0) / 1e3,
    gitCommit,
    sections,
  });
  const save = () => writeResults(path, snapshot()); // after each section: a crash keeps the rest

  if (only.has("micro")) {
    log(
      quick
        ? "micro-benchmarks: listed, not run (--quick)"
        : "micro-benchmarks (deno bench --json)",
    );
    const r = await runMicroBenches(ROOT, { timeoutS: 1800, dryRun: quick });
    sections.micro = r;
    await save();
    if (r.error) log(`micro: ${r.error}`);
  }

  if (only.has("host")) {
    if (!machine.adapter) log("host timeline skipped: no WebGPU adapter");
    else {
      const pairs = Number(v["host-pairs"] ?? (quick ? 1024 : 8192));
      log(`host time per training step and timeline (bench/gpu_host.ts, ${pairs} pairs)`);
      const r = await runHostSection(ROOT, pairs);
      sections.host = r;
      await save();
      if (r.error) {
        log(`host: ${r.error}`);
        failed = true;
      }
    }
  }

  const e2eSizes = v["e2e-sizes"]
    ? list(v["e2e-sizes"]).map(Number)
    : quick
    ? [2000]
    : [10000, 100000];
  const e2eBackends = (list(quick ? "cpu" : v["e2e-backends"]!) as ("cpu" | "webgpu")[])
    .filter((b) =>
      b === "cpu" || machine.adapter || (log("e2e on webgpu skipped: no adapter"), false)
    );
  const e2eRetrains = list(v["e2e-retrain"]!) as Retrain[];
  for (const m of e2eRetrains) {
    if (m !== "scratch" && m !== "incremental") {
      throw new Error(`--e2e-retrain must list scratch or incremental: current value is ${m}`);
    }
  }
  if (only.has("e2e")) {
    // On a software adapter the WebGPU backend is ~10x slower than the CPU reference: its
    // end-to-end run stays at the smallest size unless sizes are given.
    const gpuSizes = v["e2e-webgpu-sizes"]
      ? list(v["e2e-webgpu-sizes"]).map(Number)
      : machine.adapter?.software
      ? e2eSizes.slice(0, 1)
      : e2eSizes;
    const r = { results: [] as unknown[], failures: [] as unknown[] };
    for (const backend of e2eBackends) {
      const sizes = backend === "webgpu" ? gpuSizes : e2eSizes;
      log(`end-to-end SER on ${backend}: ${sizes.join(", ")} pairs`);
      const part = await runE2e({
        sizes,
        backends: [backend],
        retrains: e2eRetrains,
        iterations: Number(v.iterations ?? (quick ? 1 : 4)),
        pool: !v["no-pool"],
        seed,
        onRun: (n, b, x, m) =>
          log(
            typeof x === "string"
              ? `e2e ${n} ${b} ${m}: FAILED ${x}`
              : `e2e ${n} ${b} ${m}: ${x.total_s.toFixed(1)} s, test ${x.finalTestAccuracy}`,
          ),
      });
      r.results.push(...part.results);
      r.failures.push(...part.failures);
    }
    sections.e2e = r;
    await save();
    if (r.failures.length) failed = true;
  }

  if (only.has("peers")) {
    const pairs = Number(v["peer-pairs"] ?? (quick ? 600 : 4000));
    const opts = serOptions({ maxIterations: 1, model: E2E_MODEL, train: E2E_TRAIN });
    const w = worldData(pairs, seed, opts.featurizer);
    const dir = await Deno.makeTempDir({ prefix: "serflow-bench-peers-" });
    try {
      const data = buildPeerData(w.features, {
        model: opts.model,
        train: { ...opts.train, batchSize: opts.train.batchSize },
        epochs: Number(v["peer-epochs"] ?? (quick ? 1 : 3)),
        labels: w.labels,
        isTest: Uint8Array.from(w.splits, (s) => (s === "test" ? 1 : 0)),
        seed,
        source: `synthetic world, ${pairs} pairs, seed ${seed}, featurized by serflow`,
      });
      await writePeerData(dir, data);
      const peers = v.peers
        ? list(v.peers)
        : quick
        ? ["serflow-cpu", "tfjs-wasm", "torch-cpu"]
        : PEER_IDS.filter((p) => p !== "torch-cuda");
      const rounds = Number(v["peer-rounds"] ?? (quick ? 1 : 5));
      log(
        `peers: ${
          peers.join(", ")
        }; ${rounds} interleaved rounds on ${pairs} pairs (${data.meta.nTrain} train, ${data.meta.nTest} test)`,
      );
      const r = await runPeers({
        dataDir: dir,
        peers,
        rounds,
        onRun: (id, round, x) =>
          log(
            typeof x === "string"
              ? `peer ${id} round ${round + 1}: FAILED ${x}`
              : `peer ${id} round ${round + 1}: train ${x.train_s.toFixed(2)} s, score ${
                x.score_s.toFixed(2)
              } s, test ${x.test_accuracy.toFixed(4)}`,
          ),
      });
      for (const [id, why] of Object.entries(r.skipped)) log(`peer ${id} skipped: ${why}`);
      sections.peers = { data: data.meta, ...r };
      await save();
      if (Object.values(r.failures).some((f) => f.length)) failed = true;
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }

  if (only.has("growth")) {
    log("cost growth");
    const g = await runGrowth({
      sizes: quick ? [1000, 3000] : [1000, 3000, 10000, 30000, 100000, 300000, 1000000],
      backends: quick ? ["cpu"] : ["cpu", ...(machine.adapter ? ["webgpu" as const] : [])],
      maxPointS: Number(v["max-point-s"] ?? (quick ? 20 : 150)),
      fixedN: quick ? 1000 : 10000,
      buckets: quick ? [16384, 65536] : [16384, 65536, 262144, 1048576],
      dims: quick ? [16, 32] : [16, 32, 64, 128, 256],
      poolSizes: quick ? [1000] : [1000, 10000, 100000, 300000],
      basePairs: quick ? 1000 : 20000,
      seed,
      onPoint: (what, p) => log(`growth ${what}: ${typeof p === "string" ? p : JSON.stringify(p)}`),
    });
    sections.growth = g;
    await save();
  }

  if (only.has("encoder")) {
    // On a software adapter a BERT-base forward pass takes seconds: a few sequences by default.
    const small = quick || !machine.adapter || machine.adapter.software;
    const r = await runEncoderBench({
      sizes: ["minilm-l6", "bert-base"],
      peers: ["webgpu", "ts", "torch-cpu"],
      seqs: Number(v["encoder-seqs"] ?? (small ? 4 : 64)),
      len: Number(v["encoder-len"] ?? 128),
      tsSeqs: 1,
      tsLen: quick ? 16 : 64,
      rounds: quick ? 1 : 3,
      f16: false,
      log,
    });
    sections.encoder = r;
    await save();
  }

  let serveMd: string | null = null;
  if (only.has("serve")) {
    const backend = v["serve-backend"] as "cpu" | "webgpu" | "auto";
    const r = await runServeBench({
      concurrency: list(v["serve-concurrency"] ?? (quick ? "1,8" : "1,4,16,32,64")).map(Number),
      requests: Number(v["serve-requests"] ?? (quick ? 64 : 640)),
      rounds: Number(v["serve-rounds"] ?? (quick ? 1 : 3)),
      backend,
      peers: list(v["serve-peers"] ?? "torch-cpu"),
      settings: quick ? BATCH_SETTINGS.slice(2, 3) : undefined,
      log,
    });
    sections.serve = r;
    await save();
    serveMd = serveMarkdown(r, {
      date,
      machine: `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB${
        backend === "cpu" ? "" : `, adapter ${machine.adapter?.description ?? "none"}`
      }`,
      command: `deno task bench ${args.join(" ")}`.trim(),
    });
    console.log(serveMd);
  }

  const results = snapshot();
  await writeResults(path, results);
  log(`results: ${path}`);
  const plotsDir = v["plots-dir"] ?? (quick ? null : `${ROOT}/docs/benchmarks`);
  if (plotsDir) {
    // deno-lint-ignore no-explicit-any
    const e2e = (sections.e2e as any)?.results ?? [];
    // deno-lint-ignore no-explicit-any
    const plots = renderPlots((sections.growth as any) ?? null, e2e);
    // deno-lint-ignore no-explicit-any
    const svg = (sections.host as any)?.svg;
    if (typeof svg === "string") plots["gpu_timeline.svg"] = svg;
    if (Object.keys(plots).length) await Deno.mkdir(plotsDir, { recursive: true });
    for (const [name, svg] of Object.entries(plots)) {
      await Deno.writeTextFile(`${plotsDir}/${name}`, svg);
    }
    log(`plots: ${Object.keys(plots).join(", ")} in ${plotsDir}`);
  }
  if (!v["no-md"] && !quick) {
    const md = `${ROOT}/BENCHMARKS.md`;
    const text = await Deno.readTextFile(md).catch(() => "# Benchmarks\n");
    const rel = path.startsWith(ROOT + "/") ? path.slice(ROOT.length + 1) : path;
    const core = SECTIONS.every((s) => only.has(s));
    const latest = core ? replaceLatest(text, summaryMarkdown(results)) : text;
    const full = serveMd ? replaceServeSection(latest, serveMd) : latest;
    await Deno.writeTextFile(md, addRunRow(full, runRow(results, rel)));
    // Keep `deno fmt --check` green: the tables are written unaligned.
    await new Deno.Command(Deno.execPath(), { args: ["fmt", md], stdout: "null", stderr: "null" })
      .output();
    log(
      `BENCHMARKS.md: runs table${core ? " and latest results" : ""}${
        serveMd ? " and serving section" : ""
      } updated`,
    );
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
