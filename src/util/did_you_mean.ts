/**
 * "Did you mean" suggestions for misspelt names.
 *
 * @module
 */

/** @returns The edit distance between `a` and `b` (insert, delete, substitute, swap two neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * Suggests the closest candidate to `name`, if any is close enough.
 *
 * @param name The misspelt name.
 * @param candidates The valid names.
 * @returns A suffix like ` (did you mean 'tau_high'?)`, or "" when nothing is close.
 * @example
 * ```ts
 * import { didYouMean } from "./did_you_mean.ts";
 * if (didYouMean("tau_hgh", ["tau_high", "delta"]) !== " (did you mean 'tau_high'?)") throw new Error();
 * ```
 */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  let best = "";
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  return best && bestD <= limit ? ` (did you mean '${best}'?)` : "";
}
