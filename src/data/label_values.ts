/**
 * Interprets preference label values ("a", 2, "model_b", "tie", ...) and multi-annotator votes.
 *
 * @module
 */

/** Which values in the data mean "a is preferred", "b is preferred" and "tie". */
export interface LabelValues {
  a: readonly unknown[];
  b: readonly unknown[];
  tie: readonly unknown[];
}

/** The defaults: PandaLM's 1/2/0, Chatbot Arena's model_a/model_b/tie, and plain a/b. */
export const DEFAULT_LABEL_VALUES: LabelValues = {
  a: [1, "a", "model_a", "response_a"],
  b: [2, "b", "model_b", "response_b"],
  tie: [0, "tie", "tie (bothbad)"],
};

/** A decoded label: which response is preferred, or a tie. */
export type Verdict = "a" | "b" | "tie";

/**
 * Decodes one label value, comparing as trimmed, case-insensitive text (so 1, "1" and 1n match).
 *
 * @param value The value found in the data.
 * @param values What each verdict looks like.
 * @returns The verdict, or null when the value is none of them.
 * @example
 * ```ts
 * import { DEFAULT_LABEL_VALUES, decodeLabel } from "./label_values.ts";
 * if (decodeLabel("Model_B", DEFAULT_LABEL_VALUES) !== "b") throw new Error();
 * ```
 */
export function decodeLabel(value: unknown, values: LabelValues): Verdict | null {
  if (value === null || value === undefined || typeof value === "object") return null;
  const key = _norm(value);
  if (key === "") return null;
  for (const v of ["a", "b", "tie"] as const) {
    if (values[v].some((x) => _norm(x) === key)) return v;
  }
  return null;
}

/**
 * The strict-majority verdict of several annotators: the verdict more than half of them gave;
 * `tie` when that is "tie" or when no verdict has a majority.
 *
 * @param votes Each annotator's verdict.
 * @returns The majority verdict.
 * @example
 * ```ts
 * import { majorityVote } from "./label_values.ts";
 * if (majorityVote(["a", "tie", "a"]) !== "a" || majorityVote(["a", "b", "tie"]) !== "tie") {
 *   throw new Error();
 * }
 * ```
 */
export function majorityVote(votes: readonly Verdict[]): Verdict {
  const need = Math.floor(votes.length / 2) + 1;
  for (const v of ["a", "b"] as const) {
    if (votes.filter((x) => x === v).length >= need) return v;
  }
  return "tie";
}

/**
 * Describes the accepted values, for error messages.
 *
 * @param values The label values.
 * @returns e.g. `a: 1, "a"; b: 2, "b"; tie: 0`.
 * @example
 * ```ts
 * import { describeLabelValues } from "./label_values.ts";
 * if (describeLabelValues({ a: [1], b: [2], tie: [] }) !== "a: 1; b: 2; tie: (none)") throw new Error();
 * ```
 */
export function describeLabelValues(values: LabelValues): string {
  const list = (xs: readonly unknown[]) =>
    xs.length === 0 ? "(none)" : xs.map((x) => JSON.stringify(x)).join(", ");
  return `a: ${list(values.a)}; b: ${list(values.b)}; tie: ${list(values.tie)}`;
}

function _norm(x: unknown): string {
  return String(x).trim().toLowerCase();
}
