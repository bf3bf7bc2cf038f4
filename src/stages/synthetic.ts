/**
 * `synthetic`: the embedded default dataset, a seeded preference world (no download). The story
 * and how its defaults were chosen: `src/data/synthetic/world.ts` and `docs/synthetic.md`.
 *
 * @module
 */
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import type { PairRow } from "../data/schema.ts";
import { buildPairBatch } from "../data/pair_batch_builder.ts";
import { buildWorld, DEFAULT_SYNTHETIC, type SyntheticConfig } from "../data/synthetic/world.ts";
import { samplePairs } from "../data/synthetic/sample.ts";
import { hashString, Rng } from "../contracts/rng.ts";

const D = DEFAULT_SYNTHETIC;
const int = (d: number, min: number, description: string) => ({
  type: "integer" as const,
  default: d,
  min,
  description,
});

/** The `synthetic` stage's spec. */
export const spec: StageSpec = {
  name: "synthetic",
  pure: true,
  summary: "Generates a seeded synthetic preference world (prompts, response pairs, human labels).",
  description:
    "Prompts have topics; each response has hidden qualities (helpfulness, relevance to " +
    "the prompt's topic, flaws, harmful content, verbosity) that it shows through families of " +
    "Zipf-distributed marker words among neutral filler. The hidden reward is a function of the " +
    "qualities and the human label is drawn by Bradley-Terry with temperature `noise` (about 76% " +
    "agreement with the hidden reward's sign by default). Rows carry `group_id` by prompt and " +
    "`label`, ready for `split`. Same seed, same data. See docs/synthetic.md.",
  kind: "source",
  fields: {
    pairs: int(D.pairs, 1, "Pairs to generate."),
    pairs_per_prompt: {
      type: "number",
      default: D.pairs_per_prompt,
      min: 1,
      description: "Mean pairs per prompt (prompt groups for the split).",
    },
    noise: {
      type: "number",
      default: D.noise,
      min: 0,
      description: "Bradley-Terry temperature of the labels (0: always the better response).",
    },
    difficulty: {
      type: "number",
      default: D.difficulty,
      min: 0,
      max: 0.99,
      description:
        "Correlation of a pair's two responses' hidden qualities (higher: closer calls).",
    },
    harmful_rate: {
      type: "number",
      default: D.harmful_rate,
      min: 0,
      max: 1,
      description: "Probability that a response has harmful content.",
    },
    topics: int(D.topics, 1, "Prompt topics."),
    topic_words: int(D.topic_words, 1, "Words per topic."),
    marker_words: int(D.marker_words, 1, "Synonyms per marker family (helpfulness, flaws, harm)."),
    filler_words: int(D.filler_words, 1, "Neutral filler words."),
    zipf: {
      type: "number",
      default: D.zipf,
      min: 0,
      description: "Zipf exponent of word choice in each family (higher: rarer tails).",
    },
    seed: {
      type: "integer",
      description: "Seed of the world (default: the pipeline seed).",
    },
    batch_size: int(1024, 1, "Rows per emitted batch."),
  },
  examples: [
    { title: "The default world", yaml: "use: synthetic\nwith: { pairs: 20000 }" },
    {
      title: "A small, noisier world with closer calls",
      yaml: "use: synthetic\nwith: { pairs: 2000, noise: 1.5, difficulty: 0.6, seed: 3 }",
    },
  ],
};

/** Config of `synthetic`. */
export interface SyntheticStageConfig extends SyntheticConfig {
  seed?: number;
  batch_size: number;
}

/**
 * The world's seed: the `seed` field, else the pipeline seed (not the stage id, so renaming the
 * stage keeps the data).
 *
 * @param cfg The config.
 * @param pipelineSeed The pipeline seed.
 * @returns The seed of the vocabulary and of the samples.
 * @example
 * ```ts
 * import { worldSeed } from "./synthetic.ts";
 * if (worldSeed({}, 7) !== 7 || worldSeed({ seed: 3 }, 7) !== 3) throw new Error();
 * ```
 */
export function worldSeed(cfg: { seed?: number }, pipelineSeed: number): number {
  return (cfg.seed ?? pipelineSeed) >>> 0;
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns A source of pair batches (`split` "", `gold` null, `source` "synthetic:<n>").
 */
export function operator(cfg: SyntheticStageConfig, ctx: StageContext) {
  function* batches(): Generator<Batch> {
    const seed = worldSeed(cfg, ctx.pipeline.seed);
    const world = buildWorld(cfg, seed);
    const rng = new Rng(seed ^ hashString("synthetic pairs"));
    const progress = ctx.progress("synthetic", cfg.pairs);
    let rows: PairRow[] = [];
    let agree = 0, n = 0;
    for (const p of samplePairs(world, rng)) {
      rows.push(p.row);
      n++;
      if (Math.sign(p.rewardA - p.rewardB) === p.row.label) agree++;
      if (rows.length >= cfg.batch_size) {
        progress.update(n);
        yield buildPairBatch(rows);
        rows = [];
      }
    }
    if (rows.length > 0) yield buildPairBatch(rows);
    progress.done();
    ctx.log.info(
      `synthetic: ${n} pairs, labels agree with the hidden reward on ${
        (100 * agree / n).toFixed(1)
      }%`,
      { pairs: n, agreement: agree / n, seed },
    );
  }
  return () => ctx.source(batches());
}
