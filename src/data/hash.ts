/**
 * Content hashes that identify pairs and prompt groups across runs, and the seeded a/b order.
 *
 * @module
 */
import { createHash } from "node:crypto";

const SEP = "\u001f";

/**
 * Hashes strings (each followed by an ASCII unit separator) with SHA-256 and returns the first 16
 * hex digits (64 bits): stable across runs, platforms and versions.
 *
 * @param parts The strings to hash, in order.
 * @returns 16 lowercase hex digits.
 * @example
 * ```ts
 * import { contentHash } from "./hash.ts";
 * if (contentHash("a", "b") === contentHash("ab")) throw new Error("parts must be separated");
 * if (contentHash("abc") !== contentHash("abc")) throw new Error("not stable");
 * ```
 */
export function contentHash(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update(SEP);
  return h.digest("hex").slice(0, 16);
}

/**
 * The id of a pair: a hash of its prompt and both responses that does not depend on which
 * response is preferred or shown first.
 *
 * @param prompt The prompt text.
 * @param x One response.
 * @param y The other response.
 * @returns The `pair_id`.
 * @example
 * ```ts
 * import { pairId } from "./hash.ts";
 * if (pairId("p", "x", "y") !== pairId("p", "y", "x")) throw new Error("order-dependent");
 * ```
 */
export function pairId(prompt: string, x: string, y: string): string {
  return x <= y ? contentHash("pair", prompt, x, y) : contentHash("pair", prompt, y, x);
}

/**
 * Normalises a prompt-group key: trimmed, whitespace runs collapsed to one space, lower case, so
 * that trivially different copies of a prompt land in the same group.
 *
 * @param key The group key (e.g. the first human turn).
 * @returns The normalised key.
 * @example
 * ```ts
 * import { normalizeGroupKey } from "./hash.ts";
 * if (normalizeGroupKey("  Hi\n there ") !== "hi there") throw new Error();
 * ```
 */
export function normalizeGroupKey(key: string): string {
  return key.trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * The id of a prompt group: a hash of the normalised group key.
 *
 * @param key The group key (first human turn for transcripts, the prompt otherwise).
 * @returns The `group_id`.
 * @example
 * ```ts
 * import { groupId } from "./hash.ts";
 * if (groupId("What is X?") !== groupId("what is  x?")) throw new Error();
 * ```
 */
export function groupId(key: string): string {
  return contentHash("group", normalizeGroupKey(key));
}

/**
 * Whether the preferred response is shown as `b`: a stable coin flip seeded by the pipeline seed
 * and the pair's content, so about half of the pairs have `label` -1 and the order never depends
 * on where the row came from.
 *
 * @param seed The pipeline seed.
 * @param id The pair's `pair_id`.
 * @returns True when the preferred response goes to `response_b`.
 * @example
 * ```ts
 * import { preferredIsB } from "./hash.ts";
 * if (preferredIsB(7, "abc") !== preferredIsB(7, "abc")) throw new Error("not stable");
 * ```
 */
export function preferredIsB(seed: number, id: string): boolean {
  // The id is already a uniform hash: mix its first 32 bits with the seed (murmur3's finalizer).
  let h = (parseInt(id.slice(0, 8), 16) ^ Math.imul(seed >>> 0, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) & 1) === 1;
}
