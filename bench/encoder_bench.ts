/**
 * Encoder throughput: tokens/s of a BERT-family forward pass (embeddings, layers, mean pooling,
 * L2 normalisation) at MiniLM-L6 and BERT-base sizes with random weights, for serflow on WebGPU,
 * serflow's TypeScript reference and PyTorch (`transformers`), interleaved round by round on the
 * same shapes (`seqs` sequences of `len` tokens, no padding).
 *
 * Usage: `deno run -A bench/encoder_bench.ts [--sizes minilm-l6,bert-base] [--peers
 * webgpu,ts,torch-cpu] [--seqs 4] [--len 128] [--ts-seqs 1] [--ts-len 64] [--rounds 3] [--f16]
 * [--torch-device cuda] [--out FILE]` (also `deno task bench --only encoder`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { referenceEmbed } from "../src/encoder/reference.ts";
import { openGpu, requestAdapter } from "../src/gpu/device.ts";
import { GpuEncoder } from "../src/gpu/encoder_model.ts";
import { ENCODER_SIZES, randomEncoder } from "./lib/random_encoder.ts";
import { describeMachine } from "./lib/machine.ts";
import { median } from "./lib/stats.ts";

/** One timed forward pass. */
export interface EncoderRun {
  size: string;
  peer: string;
  round: number;
  seqs: number;
  len: number;
  tokens: number;
  seconds: number;
  tokens_per_s: number;
}

/** Options of `runEncoderBench`. */
export interface EncoderBenchOptions {
  sizes: string[];
  peers: string[];
  seqs: number;
  len: number;
  /** The TypeScript reference's workload (it is much slower). */
  tsSeqs: number;
  tsLen: number;
  rounds: number;
  f16: boolean;
  log: (msg: string) => void;
}

const ROOT = new URL("..", import.meta.url).pathname;
const PY = Deno.env.get("PYTHON") ?? "python3";

/**
 * Runs the benchmark.
 *
 * @param o What to measure.
 * @returns Every timed run, and the medians per size and peer.
 */
export async function runEncoderBench(o: EncoderBenchOptions): Promise<{
  runs: EncoderRun[];
  medians: Record<string, Record<string, number>>;
  skipped: Record<string, string>;
}> {
  const runs: EncoderRun[] = [], skipped: Record<string, string> = {};
  const gpu = o.peers.includes("webgpu") && (await requestAdapter()) ? await openGpu() : null;
  if (o.peers.includes("webgpu") && !gpu) skipped.webgpu = "no WebGPU adapter";
  try {
    for (const size of o.sizes) {
      const cfg = ENCODER_SIZES[size];
      if (!cfg) {
        throw new RangeError(`Cannot benchmark size '${size}': use ${Object.keys(ENCODER_SIZES)}`);
      }
      const model = randomEncoder(cfg, o.f16, 7);
      const ids = (n: number, len: number) =>
        Array.from(
          { length: n },
          (_, s) =>
            Uint32Array.from({ length: len }, (_, t) => (s * 7919 + t * 104729) % cfg.vocabSize),
        );
      const opts = { pooling: "mean", normalize: true } as const;
      const enc = gpu
        ? await GpuEncoder.create(gpu, model, { maxBatchTokens: o.seqs * o.len })
        : null;
      try {
        if (enc) await enc.embed(ids(1, 8), opts); // compile and warm up
        for (let round = 0; round < o.rounds; round++) {
          for (const peer of o.peers) {
            const seqs = peer === "ts" ? o.tsSeqs : o.seqs, len = peer === "ts" ? o.tsLen : o.len;
            let seconds: number;
            if (peer === "webgpu") {
              if (!enc) continue;
              const batch = ids(seqs, len);
              const t0 = performance.now();
              await enc.embed(batch, opts);
              seconds = (performance.now() - t0) / 1000;
            } else if (peer === "ts") {
              const batch = ids(seqs, len);
              const t0 = performance.now();
              referenceEmbed(model, batch, opts);
              seconds = (performance.now() - t0) / 1000;
            } else if (peer.startsWith("torch-")) {
              const r = await _torch(peer, size, seqs, len, o.f16);
              if (typeof r === "string") {
                skipped[peer] = r;
                continue;
              }
              seconds = r;
            } else {
              throw new RangeError(
                `Cannot benchmark peer '${peer}': use webgpu, ts, torch-cpu, torch-cuda`,
              );
            }
            const tokens = seqs * len;
            runs.push({
              size,
              peer,
              round,
              seqs,
              len,
              tokens,
              seconds,
              tokens_per_s: tokens / seconds,
            });
            o.log(
              `encoder ${size} ${peer} round ${round + 1}: ${
                Math.round(tokens / seconds)
              } tokens/s (${seqs} x ${len} tokens, ${seconds.toFixed(2)} s)`,
            );
          }
        }
      } finally {
        enc?.destroy();
      }
    }
  } finally {
    gpu?.destroy();
  }
  const medians: Record<string, Record<string, number>> = {};
  for (const r of runs) (medians[r.size] ??= {})[r.peer] = 0;
  for (const size of Object.keys(medians)) {
    for (const peer of Object.keys(medians[size])) {
      medians[size][peer] = median(
        runs.filter((r) => r.size === size && r.peer === peer).map((r) => r.tokens_per_s),
      );
    }
  }
  return { runs, medians, skipped };
}

async function _torch(
  peer: string,
  size: string,
  seqs: number,
  len: number,
  f16: boolean,
): Promise<number | string> {
  const c = ENCODER_SIZES[size];
  const device = peer.slice("torch-".length);
  const args = [
    `${ROOT}bench/peers/torch_encoder.py`,
    ...[
      "--layers",
      c.layers,
      "--hidden",
      c.hidden,
      "--heads",
      c.heads,
      "--intermediate",
      c.intermediate,
    ]
      .map(String),
    ...["--seqs", seqs, "--len", len, "--device", device, "--repeats", 1].map(String),
    ...(f16 && device === "cuda" ? ["--half"] : []),
  ];
  try {
    const out = await new Deno.Command(PY, { args, stdout: "piped", stderr: "piped" }).output();
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
      return `${PY} exited ${out.code}: ${err}`;
    }
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    return JSON.parse(lines.at(-1)!).seconds;
  } catch (e) {
    return `cannot run ${PY}: ${(e as Error).message}`;
  }
}

if (import.meta.main) {
  const { values: v } = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "minilm-l6,bert-base" },
      peers: { type: "string", default: "webgpu,ts,torch-cpu" },
      seqs: { type: "string", default: "4" },
      len: { type: "string", default: "128" },
      "ts-seqs": { type: "string", default: "1" },
      "ts-len": { type: "string", default: "64" },
      rounds: { type: "string", default: "3" },
      f16: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const machine = await describeMachine();
  const log = (m: string) =>
    console.error(`[encoder ${new Date().toISOString().slice(11, 19)}] ${m}`);
  log(
    `machine: ${machine.cpu}, ${machine.cores} cores, load ${
      machine.loadAverage.join(" ")
    }; adapter ${machine.adapter?.description ?? "none"}`,
  );
  const r = await runEncoderBench({
    sizes: v.sizes!.split(","),
    peers: v.peers!.split(","),
    seqs: Number(v.seqs),
    len: Number(v.len),
    tsSeqs: Number(v["ts-seqs"]),
    tsLen: Number(v["ts-len"]),
    rounds: Number(v.rounds),
    f16: v.f16!,
    log,
  });
  const result = {
    date: new Date().toISOString(),
    command: `deno run -A bench/encoder_bench.ts ${Deno.args.join(" ")}`.trim(),
    machine,
    loadAverageEnd: Deno.loadavg(),
    ...r,
  };
  if (v.out) await Deno.writeTextFile(v.out, JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify({ medians: r.medians, skipped: r.skipped }, null, 2));
}
