/**
 * A small finished run for export tests: HH-RLHF transcripts (one whose transcripts part before
 * the last assistant turn), rendered chats and plain prompts; human seed labels, self-labels of
 * two iterations (one relabelled), a labelled validation pair and a test pair.
 */
import { pairBatch, type PairRow, type Split } from "../../src/data/schema.ts";
import { withPool } from "../../src/pool/with_pool.ts";
import { tempPoolPath } from "./_helpers.ts";

const PROMPTS = [
  "\n\nHuman: How do I bake bread at home?\n\nAssistant:",
  "\n\nHuman: What is the capital of France?\n\nAssistant: Paris.\n\nHuman: And of Italy?\n\nAssistant:",
  "User: Write a haiku about rain.",
  "System: Be brief.\n\nUser: Name a prime number.\n\nAssistant: 7\n\nUser: Another one?",
  "Which sorting algorithm is stable, quicksort or merge sort?",
  "Explain photosynthesis to a child.",
];
const GOOD = [
  "Mix flour, water, yeast and salt, let it rise, then bake at 230 C.",
  "Rome is the capital of Italy.",
  "Soft rain on the roof\nwhispers to the sleeping town\npuddles hold the sky",
  "11 is prime too.",
  "Merge sort is stable; quicksort usually is not.",
  "Plants use sunlight to turn air and water into their food.",
];
const BAD = [
  "I cannot help with that.",
  "Milan.\n\nHuman: Are you sure?\n\nAssistant: No.",
  "Rain is water.",
  "10.",
  "Quicksort, always.",
  "It is complicated.",
];

/** The fixture's pairs: 12 (two per prompt), seeds p00-p03, validation p10, test p11. */
export function exportPairs(): PairRow[] {
  return Array.from({ length: 12 }, (_, i) => {
    const k = i % PROMPTS.length, flip = i >= PROMPTS.length;
    const split: Split = i < 4
      ? "seed"
      : i === 10
      ? "validation"
      : i === 11
      ? "test"
      : "unlabelled";
    return {
      pair_id: `p${String(i).padStart(2, "0")}`,
      group_id: `g${k}`,
      prompt: PROMPTS[k],
      response_a: flip ? BAD[k] : GOOD[k],
      response_b: flip ? GOOD[k] : BAD[k],
      label: split === "seed" || split === "validation" ? (flip ? -1 : 1) : null,
      split,
      gold: split === "unlabelled" || split === "test" ? (flip ? -1 : 1) : null,
      source: `${i % 2 ? "data/hh.jsonl" : "data/chat.jsonl"}:${i + 1}`,
    };
  });
}

/**
 * Writes the fixture run to a new pool file.
 *
 * @returns The pool's path (`<tmp>/pool.duckdb`).
 */
export async function exportRunPool(): Promise<string> {
  const path = tempPoolPath();
  await withPool(path, async (pool) => {
    await pool.startRun({
      runId: "fixture-run",
      pipeline: "fixture",
      config: { name: "fixture", seed: 7, stages: [{ id: "data", use: "read" }] },
      gitCommit: "0123abc",
    });
    await pool.insertPairs(pairBatch(exportPairs()));
    await pool.appendLabels({
      pairId: ["p00", "p01", "p02", "p03", "p10"],
      label: [1, 1, 1, 1, -1],
      origin: "human",
      iteration: 0,
      rule: "seed",
    });
    await pool.appendLabels({
      pairId: ["p04", "p05", "p06", "p07", "p08"],
      label: [1, 1, -1, 1, -1],
      origin: "self",
      iteration: 1,
      rule: ["status1", "status1", "status2", "status1", "status2"],
      margin: [0.25, 1.5, 0.75, 0.4, 2],
      pA: [0.6, 0.8, 0.3, 0.55, 0.2],
      pB: [0.4, 0.2, 0.7, 0.45, 0.8],
    });
    await pool.appendLabels({
      pairId: ["p09", "p05"],
      label: [-1, -1],
      origin: "self",
      iteration: 2,
      rule: "status2",
      margin: [1.25, 0.5],
    });
    await pool.finishRun("fixture-run", "completed", "patience");
  });
  return path;
}
