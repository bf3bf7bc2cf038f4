/**
 * What one peer run reports (one JSON line on stdout): the same fields from serflow, TF.js and
 * PyTorch, so that runs compare field by field.
 *
 * @module
 */

/** One run of one peer on one peer-data folder. */
export interface PeerResult {
  /** `serflow`, `tfjs` or `torch`. */
  peer: string;
  /** `cpu`, `webgpu`, `wasm` or `cuda`. */
  backend: string;
  /** The device in words (adapter description, thread count). */
  device: string;
  version: string;
  /** Seconds to put weights (and, where the peer keeps them on the device, features) in place. */
  setup_s: number;
  /** Seconds per training epoch (each ends with the device idle). */
  epoch_s: number[];
  train_s: number;
  /** Mean training loss and accuracy per epoch (the same math gives the same numbers). */
  epoch_loss: number[];
  epoch_accuracy: number[];
  /** Seconds to score every pair, rewards read back to the host. */
  score_s: number;
  /**
   * CPU seconds the peer's process (all its threads) spent while scoring. On a machine shared
   * with other work this is a steadier measure of the work done than `score_s`, which also counts
   * the time the process waited for a core. Absent from peers that do not report it.
   */
  score_cpu_s?: number;
  scored_pairs: number;
  /** Pairwise accuracy on the test set after training. */
  test_accuracy: number;
  /** Reward of response a of the first pairs: a cross-check that the peers compute the same model. */
  first_scores: number[];
  peak_rss_bytes: number;
}

/**
 * Finds the peer's JSON result in its standard output (the last line that parses as an object).
 *
 * @param stdout Everything the peer printed.
 * @returns The result.
 * @example
 * ```ts
 * import { parsePeerOutput } from "./peer_result.ts";
 * const r = parsePeerOutput('warming up\n{"peer":"torch","train_s":1}\n');
 * if (r.peer !== "torch") throw new Error();
 * ```
 */
export function parsePeerOutput(stdout: string): PeerResult {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    try {
      return JSON.parse(line) as PeerResult;
    } catch {
      // not the result line: keep looking
    }
  }
  throw new SyntaxError(
    `Cannot find the peer's result: no JSON line in its output (last lines: ${
      JSON.stringify(lines.slice(0, 3).reverse())
    })`,
  );
}
