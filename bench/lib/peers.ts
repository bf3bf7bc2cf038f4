/**
 * Runs serflow and its peers on the same peer-data folder, interleaved (A B C A B C ...), each
 * run in a fresh process, and summarises them: per-phase medians, pair-by-pair ratios against
 * serflow, test accuracies, and a check that the peers compute the same model.
 *
 * @module
 */
import { parsePeerOutput, type PeerResult } from "./peer_result.ts";
import { peerSpec, peerUnavailable } from "./peer_specs.ts";
import { median, pairedRatio, range } from "./stats.ts";
import { runChild, tail } from "./subprocess.ts";

/** Per-peer medians over the rounds. */
export interface PeerSummary {
  runs: number;
  device: string;
  setup_s: number;
  /** The first epoch (includes shader compilation and warm-up) and the median later epoch. */
  first_epoch_s: number;
  later_epoch_s: number;
  train_s: number;
  score_s: number;
  /** CPU seconds of the scoring (all the process's threads; NaN where the peer does not say). */
  score_cpu_s: number;
  train_pairs_per_s: number;
  score_pairs_per_s: number;
  test_accuracy: { median: number; min: number; max: number };
  final_train_loss: number;
  peak_rss_mib: number;
}

/** The whole peer comparison. */
export interface PeersReport {
  rounds: number;
  order: string[];
  skipped: Record<string, string>;
  failures: Record<string, string[]>;
  /** Per peer, one entry per round (null where that round's run failed). */
  runs: Record<string, (PeerResult | null)[]>;
  summary: Record<string, PeerSummary>;
  /** `ratios[base][peer][phase]`: median over rounds of peer time / base time (> 1: base is faster). */
  ratios: Record<string, Record<string, Record<string, ReturnType<typeof pairedRatio>>>>;
}

/**
 * Runs the peers interleaved and summarises them.
 *
 * @param o The peer-data folder, the peers, rounds, a per-run time limit and a progress callback.
 * @returns The report.
 * @example
 * ```ts ignore
 * const r = await runPeers({ dataDir: "/tmp/peer", peers: ["serflow-cpu", "tfjs-wasm"], rounds: 5 });
 * ```
 */
export async function runPeers(o: {
  dataDir: string;
  peers: readonly string[];
  rounds: number;
  timeoutS?: number;
  onRun?: (id: string, round: number, r: PeerResult | string) => void;
}): Promise<PeersReport> {
  const specs = o.peers.map((id) => peerSpec(id, o.dataDir));
  const skipped: Record<string, string> = {};
  for (const s of specs) {
    const why = await peerUnavailable(s);
    if (why) skipped[s.id] = why;
  }
  const active = specs.filter((s) => !skipped[s.id]);
  const meta = JSON.parse(await Deno.readTextFile(`${o.dataDir}/meta.json`));
  const runs: Record<string, (PeerResult | null)[]> = {}, failures: Record<string, string[]> = {};
  for (const s of active) [runs[s.id], failures[s.id]] = [[], []];
  for (let round = 0; round < o.rounds; round++) {
    for (const s of active) {
      if (failures[s.id].length > 0 && !runs[s.id].some((r) => r)) { // broken: do not retry
        runs[s.id].push(null);
        continue;
      }
      const out = await runChild(s.cmd, s.args, { timeoutS: o.timeoutS ?? 3600 });
      let result: PeerResult | string;
      try {
        if (out.code !== 0 || out.timedOut) throw new Error("failed");
        result = parsePeerOutput(out.stdout);
      } catch {
        result = out.timedOut
          ? `timed out after ${o.timeoutS ?? 3600} s`
          : `exit ${out.code}: ${tail(out.stderr, 4)}`;
      }
      if (typeof result === "string") failures[s.id].push(result);
      runs[s.id].push(typeof result === "string" ? null : result);
      o.onRun?.(s.id, round, result);
    }
  }
  const summary: Record<string, PeerSummary> = {};
  for (const [id, rs] of Object.entries(runs)) {
    const ok = rs.filter((r): r is PeerResult => r !== null);
    if (ok.length) summary[id] = summarize(ok, meta.nTrain);
  }
  return {
    rounds: o.rounds,
    order: active.map((s) => s.id),
    skipped,
    failures,
    runs,
    summary,
    ratios: peerRatios(runs),
  };
}

function summarize(rs: PeerResult[], nTrain: number): PeerSummary {
  const m = (f: (r: PeerResult) => number) => median(rs.map(f));
  const acc = rs.map((r) => r.test_accuracy);
  const [min, max] = range(acc);
  return {
    runs: rs.length,
    device: rs[0].device,
    setup_s: m((r) => r.setup_s),
    first_epoch_s: m((r) => r.epoch_s[0]),
    later_epoch_s: m((r) => median(r.epoch_s.slice(1))),
    train_s: m((r) => r.train_s),
    score_s: m((r) => r.score_s),
    score_cpu_s: m((r) => r.score_cpu_s ?? NaN),
    train_pairs_per_s: m((r) => nTrain * r.epoch_s.length / r.train_s),
    score_pairs_per_s: m((r) => r.scored_pairs / r.score_s),
    test_accuracy: { median: median(acc), min, max },
    final_train_loss: m((r) => r.epoch_loss.at(-1) ?? NaN),
    peak_rss_mib: m((r) => r.peak_rss_bytes / 2 ** 20),
  };
}

const PHASES: Record<string, (r: PeerResult) => number> = {
  setup: (r) => r.setup_s,
  first_epoch: (r) => r.epoch_s[0],
  later_epoch: (r) => median(r.epoch_s.slice(1)),
  train: (r) => r.train_s,
  score: (r) => r.score_s,
  score_cpu: (r) => r.score_cpu_s ?? NaN,
};

/**
 * Pair-by-pair ratios against every serflow backend, over the rounds where both runs succeeded.
 *
 * @param runs Per peer, one result (or null) per round.
 * @returns `ratios[base][peer][phase]`.
 * @example
 * ```ts
 * import { peerRatios } from "./peers.ts";
 * const r = (t: number) => ({ setup_s: 1, epoch_s: [t, t], train_s: 2 * t, score_s: t }) as never;
 * const out = peerRatios({ "serflow-cpu": [r(1), r(2)], "tfjs-wasm": [r(3), null] });
 * if (out["serflow-cpu"]["tfjs-wasm"].train.median !== 3) throw new Error();
 * ```
 */
export function peerRatios(runs: Record<string, (PeerResult | null)[]>): PeersReport["ratios"] {
  const out: PeersReport["ratios"] = {};
  for (const base of Object.keys(runs).filter((id) => id.startsWith("serflow-"))) {
    const b = runs[base];
    out[base] = {};
    for (const [id, rs] of Object.entries(runs)) {
      if (id === base) continue;
      const both = rs.map((r, i) => [r, b[i]] as const).filter(([x, y]) => x && y);
      if (both.length === 0) continue;
      out[base][id] = Object.fromEntries(
        Object.entries(PHASES).map(([ph, f]) => [
          ph,
          pairedRatio(both.map(([x]) => f(x!)), both.map(([, y]) => f(y!))),
        ]),
      );
    }
  }
  return out;
}
