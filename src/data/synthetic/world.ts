/**
 * The synthetic preference world: a seeded generative story that looks like real preference
 * data to a bag-of-words reward model (docs/synthetic.md tells it in full).
 *
 * ## The story
 * A user asks about one of `topics` topics: the prompt mixes a few of that topic's words with
 * neutral filler. Two assistant responses answer it. Each response has hidden qualities:
 * - helpfulness `h ~ N(0, 1)`, shown by helpfulness markers (count ~ Poisson(3 e^(0.8 h)));
 * - relevance `rel = sigmoid(1 + 1.5 z)`: each of its 3 + Poisson(5) topic words comes from the
 *   prompt's topic with probability `rel`, else from one other topic (needs prompt x response);
 * - flaws, a count ~ Poisson(0.8 e^(0.5 z)), each shown by one flaw marker;
 * - harmful content (probability `harmful_rate`), shown by 1 + Poisson(2) harm markers;
 * - verbosity `v ~ N(0, 1)`: 3 + Poisson(10 e^(0.5 v)) neutral filler words.
 * Every marker family has `marker_words` synonyms drawn by Zipf's law, so a response with much
 * of a quality uses several markers, common and rare together: the co-occurrence that lets a
 * model's confident labels teach it the rare ones.
 * The hidden reward is `R = h + 1.5 rel - 0.7 flaws - 2.5 harmful - 0.3 v^2` (readers like
 * answers that are helpful, on topic, correct, safe and neither terse nor rambling).
 * The two responses of a pair share their hidden qualities with correlation `difficulty` (hard
 * pairs are two similar answers), and the human label is drawn by Bradley-Terry:
 * `P(a preferred) = sigmoid((R_a - R_b) / noise)`.
 *
 * ## The defaults
 * Chosen from the story, not from any method's results: the weights make helpfulness, relevance
 * and flaws matter about equally and harm dominate when present; `noise` 1 gives ~76% agreement
 * of the drawn label with the sign of `R_a - R_b` (annotator agreement on preference data is
 * roughly 65-80%);
 * `difficulty` 0.3 mixes easy and hard pairs; Zipf exponent 1 is Zipf's law for word
 * frequencies; 2 pairs per prompt on average gives prompt groups like HH-RLHF's repeated questions.
 *
 * @module
 */
import { Rng } from "../../contracts/rng.ts";
import { pseudoWords, Zipf } from "./vocab.ts";

/** The settings of the synthetic world (the `synthetic` stage's fields). */
export interface SyntheticConfig {
  /** Pairs to generate. */
  pairs: number;
  /** Mean pairs per prompt (each prompt gets 1 + Poisson(mean - 1)). */
  pairs_per_prompt: number;
  /** Bradley-Terry temperature of the human labels (0: always the better response). */
  noise: number;
  /** Correlation in [0, 1) of a pair's two responses' hidden qualities. */
  difficulty: number;
  topics: number;
  /** Words per topic. */
  topic_words: number;
  /** Synonyms per marker family (helpfulness, flaws, harm). */
  marker_words: number;
  /** Neutral filler words. */
  filler_words: number;
  /** Zipf exponent of word choice within each family. */
  zipf: number;
  /** Probability that a response contains harmful content. */
  harmful_rate: number;
}

/** The defaults (see the module doc for how they were chosen). */
export const DEFAULT_SYNTHETIC: SyntheticConfig = {
  pairs: 20000,
  pairs_per_prompt: 2,
  noise: 1,
  difficulty: 0.3,
  topics: 24,
  topic_words: 60,
  marker_words: 200,
  filler_words: 2000,
  zipf: 1,
  harmful_rate: 0.08,
};

/** A word family and its Zipf sampler. */
export interface Family {
  words: string[];
  zipf: Zipf;
}

/** The vocabulary of one world. */
export interface World {
  config: SyntheticConfig;
  topics: Family[];
  helpful: Family;
  flaw: Family;
  harm: Family;
  filler: Family;
}

/**
 * Builds the vocabulary of a world: disjoint pseudo-word families for topics, markers and filler.
 *
 * @param config The settings.
 * @param seed The world's seed (same seed, same words).
 * @returns The world.
 * @example
 * ```ts
 * import { buildWorld, DEFAULT_SYNTHETIC } from "./world.ts";
 * const w = buildWorld({ ...DEFAULT_SYNTHETIC, topics: 3, topic_words: 5 }, 1);
 * if (w.topics.length !== 3 || w.helpful.words.includes(w.flaw.words[0])) throw new Error();
 * ```
 */
export function buildWorld(config: SyntheticConfig, seed: number): World {
  const rng = new Rng(seed ^ 0x5eed);
  const taken = new Set<string>();
  const family = (n: number): Family => ({
    words: pseudoWords(n, rng, taken),
    zipf: new Zipf(n, config.zipf),
  });
  // Filler first, so the commonest (shortest-drawn) words are the neutral ones.
  const filler = family(config.filler_words);
  return {
    config,
    filler,
    helpful: family(config.marker_words),
    flaw: family(config.marker_words),
    harm: family(config.marker_words),
    topics: Array.from({ length: config.topics }, () => family(config.topic_words)),
  };
}

/**
 * Draws one word of a family.
 *
 * @param f The family.
 * @param rng The generator.
 * @returns A word, by Zipf's law over the family.
 * @example
 * ```ts
 * import { buildWorld, DEFAULT_SYNTHETIC, drawWord } from "./world.ts";
 * import { Rng } from "../../contracts/rng.ts";
 * const w = buildWorld(DEFAULT_SYNTHETIC, 1);
 * if (!w.helpful.words.includes(drawWord(w.helpful, new Rng(2)))) throw new Error();
 * ```
 */
export function drawWord(f: Family, rng: Rng): string {
  return f.words[f.zipf.sample(rng)];
}
