/**
 * serflow as a peer: trains and scores the reward model on a peer-data folder with one of its
 * backends (`cpu`: the fast CPU path; `reference`: the TypeScript reference; `webgpu`: the WGSL
 * kernels) and prints one JSON line
 * (`PeerResult`, plus the GPU backend's per-call work counts where it has them).
 *
 * Usage: `deno run -A bench/peers/serflow_rm.ts --data DIR --backend cpu|webgpu|reference
 * [--threads N]` (`reference`: the TypeScript reference; `--threads`: the CPU fast path's threads)
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { openBackend } from "../../src/compute/open_backend.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { FastCpuBackend } from "../../src/model/fast/fast_backend.ts";
import type { Logger } from "../../src/contracts/types.ts";
import { pairAccuracy, readPeerData } from "../lib/peer_data.ts";
import { peakRssBytes } from "../lib/machine.ts";
import type { PeerResult } from "../lib/peer_result.ts";

const QUIET: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A serflow peer run: the common fields and, on WebGPU, the work of the last epoch and the scoring. */
export interface SerflowPeerResult extends PeerResult {
  /** The GPU backend's `lastCost` after the last epoch and after scoring (null on the CPU). */
  cost: { train: unknown; score: unknown } | null;
}

/**
 * Runs the peer.
 *
 * @param args Command-line arguments.
 * @returns The result (also printed as JSON).
 * @example
 * ```ts ignore
 * const r = await runSerflowPeer(["--data", "/tmp/peer", "--backend", "cpu"]);
 * ```
 */
export async function runSerflowPeer(args: string[]): Promise<SerflowPeerResult> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string" },
      backend: { type: "string", default: "cpu" },
      threads: { type: "string" },
    },
  });
  const kind = values.backend!;
  if (!values.data) throw new TypeError("Cannot run the serflow peer without --data DIR");
  if (kind !== "cpu" && kind !== "webgpu" && kind !== "reference") {
    throw new RangeError(
      `Cannot run the serflow peer on '${kind}': use --backend cpu, webgpu or reference`,
    );
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  const data = await readPeerData(values.data);
  const { meta } = data;
  let t0 = performance.now();
  const backend = kind === "reference"
    ? CpuBackend.create(meta.model)
    : kind === "cpu" && threads !== undefined
    ? FastCpuBackend.create(meta.model, { threads })
    : await openBackend(kind, meta.model, QUIET);
  await backend.load(data.features);
  await backend.setParams(data.params);
  const setup = (performance.now() - t0) / 1e3;
  const lastCost = () => (backend as { lastCost?: unknown }).lastCost ?? null;

  const epochS: number[] = [], epochLoss: number[] = [], epochAcc: number[] = [];
  let trainCost: unknown = null;
  for (let e = 0; e < meta.epochs; e++) {
    t0 = performance.now();
    const order = data.orders.subarray(e * meta.nTrain, (e + 1) * meta.nTrain);
    const stats = await backend.trainEpoch(data.train, order, meta.train);
    epochS.push((performance.now() - t0) / 1e3);
    epochLoss.push(stats.loss);
    epochAcc.push(stats.accuracy);
    trainCost = lastCost();
  }

  t0 = performance.now();
  const cpu0 = cpuUsage();
  const all = new Uint32Array(meta.n).map((_, i) => i);
  const s = await backend.score(all);
  const score = (performance.now() - t0) / 1e3, cpu = cpuUsage(cpu0);
  const scoreCost = lastCost();
  const ti = data.test.indices;
  const acc = pairAccuracy(
    Float32Array.from(ti, (i) => s.rewardA[i]),
    Float32Array.from(ti, (i) => s.rewardB[i]),
    data.test.labels,
  );
  const device = backend.deviceName;
  backend.destroy();
  return {
    peer: "serflow",
    backend: kind,
    device,
    version: "0.1.0",
    setup_s: setup,
    epoch_s: epochS,
    train_s: epochS.reduce((a, b) => a + b, 0),
    epoch_loss: epochLoss,
    epoch_accuracy: epochAcc,
    score_s: score,
    score_cpu_s: (cpu.user + cpu.system) / 1e6,
    scored_pairs: meta.n,
    test_accuracy: acc,
    first_scores: Array.from(s.rewardA.subarray(0, 4)),
    peak_rss_bytes: peakRssBytes(),
    cost: kind === "webgpu" ? { train: trainCost, score: scoreCost } : null,
  };
}

if (import.meta.main) {
  console.log(JSON.stringify(await runSerflowPeer(Deno.args)));
}
