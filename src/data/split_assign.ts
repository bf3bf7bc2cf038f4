/**
 * Group-aware assignment of pairs to seed / validation / test / unlabelled splits.
 *
 * @module
 */
import type { Rng } from "../contracts/rng.ts";

/** Fractions of the labelled rows for each held split; the rest is unlabelled. */
export interface SplitFractions {
  seed: number;
  validation: number;
  test: number;
}

/** A split a group can be given. */
export type HeldSplit = "seed" | "validation" | "test" | "unlabelled";

/**
 * Assigns whole groups to splits so each split's row count is as close to `fraction * total` as
 * whole groups allow. Groups are taken in a seeded random order (independent of the order they
 * were first seen in) and each goes to the first of test, validation, seed that still has room
 * for it, else to unlabelled. Each held split then ends with between `target - largestGroup`
 * (exclusive) and `target` rows, where `target = round(fraction * total)`.
 *
 * @param sizes Rows per group key (groups of size 0 go to unlabelled).
 * @param fractions The fractions (each in [0, 1], summing to at most 1).
 * @param rng The seeded generator that orders the groups.
 * @returns The split of every group.
 * @throws {RangeError} When the fractions are out of range or sum above 1.
 * @example
 * ```ts
 * import { assignSplits } from "./split_assign.ts";
 * import { Rng } from "../contracts/rng.ts";
 * const sizes = new Map(Array.from({ length: 100 }, (_, i) => [`g${i}`, 1]));
 * const s = assignSplits(sizes, { seed: 0.1, validation: 0.1, test: 0.2 }, new Rng(1));
 * if ([...s.values()].filter((x) => x === "test").length !== 20) throw new Error();
 * ```
 */
export function assignSplits(
  sizes: ReadonlyMap<string, number>,
  fractions: SplitFractions,
  rng: Rng,
): Map<string, HeldSplit> {
  const { seed, validation, test } = fractions;
  for (const [name, f] of Object.entries(fractions)) {
    if (!(f >= 0 && f <= 1)) {
      throw new RangeError(
        `Cannot split as '${name}_fraction' must be in [0, 1]: current value is ${f}`,
      );
    }
  }
  if (seed + validation + test > 1 + 1e-9) {
    throw new RangeError(
      `Cannot split as seed_fraction + validation_fraction + test_fraction must be at most 1: ` +
        `current sum is ${seed + validation + test}`,
    );
  }
  let total = 0;
  for (const n of sizes.values()) total += n;
  const order: HeldSplit[] = ["test", "validation", "seed"];
  const room = new Map<HeldSplit, number>(
    order.map((s) => [s, Math.round(fractions[s as keyof SplitFractions] * total)]),
  );
  const keys = [...sizes.keys()].filter((k) => sizes.get(k)! > 0).sort();
  rng.shuffle(keys);
  const out = new Map<string, HeldSplit>();
  for (const k of sizes.keys()) out.set(k, "unlabelled");
  for (const k of keys) {
    const n = sizes.get(k)!;
    const s = order.find((s) => room.get(s)! >= n);
    if (s === undefined) continue;
    room.set(s, room.get(s)! - n);
    out.set(k, s);
  }
  return out;
}
