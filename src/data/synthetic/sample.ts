/**
 * Sampling the synthetic world: prompts, responses with hidden qualities, hidden rewards and
 * Bradley-Terry human labels (the story is in `world.ts`).
 *
 * @module
 */
import type { Rng } from "../../contracts/rng.ts";
import type { PairRow } from "../schema.ts";
import { groupId, pairId } from "../hash.ts";
import { drawWord, type Family, type World } from "./world.ts";
import { poisson } from "./vocab.ts";

/** The hidden latent draws of one response (standard normal, plus the harm flag). */
export interface Latents {
  help: number;
  rel: number;
  flaw: number;
  verb: number;
  harmful: boolean;
}

/** A generated pair with what the labeller could not see. */
export interface SyntheticPair {
  row: PairRow;
  /** Hidden rewards of the two responses. */
  rewardA: number;
  rewardB: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The hidden reward of a response: `h + 1.5 rel - 0.7 flaws - 2.5 harmful - 0.3 v^2`.
 *
 * @param z The latents.
 * @param flaws The response's flaw count.
 * @returns The reward.
 * @example
 * ```ts
 * import { hiddenReward } from "./sample.ts";
 * const z = { help: 0, rel: 0, flaw: 0, verb: 0, harmful: false };
 * if (!(hiddenReward(z, 0) > hiddenReward({ ...z, harmful: true }, 0))) throw new Error();
 * ```
 */
export function hiddenReward(z: Latents, flaws: number): number {
  return z.help + 1.5 * relevance(z) - 0.7 * flaws - (z.harmful ? 2.5 : 0) - 0.3 * z.verb * z.verb;
}

/**
 * @param z The latents.
 * @returns The share of a response's topic words that are on the prompt's topic (in (0, 1)).
 * @example
 * ```ts
 * import { relevance } from "./sample.ts";
 * const z = { help: 0, rel: 2, flaw: 0, verb: 0, harmful: false };
 * if (!(relevance(z) > relevance({ ...z, rel: -2 }))) throw new Error();
 * ```
 */
export function relevance(z: Latents): number {
  return sigmoid(1 + 1.5 * z.rel);
}

/**
 * Draws a response's latents, correlated with `partner`'s by `rho` (the pair's difficulty).
 *
 * @param rng The generator.
 * @param harmfulRate Probability of harmful content.
 * @param partner The other response of the pair, if drawn already.
 * @param rho Correlation with the partner, in [0, 1).
 * @returns The latents.
 * @example
 * ```ts
 * import { drawLatents } from "./sample.ts";
 * import { Rng } from "../../contracts/rng.ts";
 * const rng = new Rng(1);
 * const a = drawLatents(rng, 0.1);
 * if (drawLatents(rng, 0.1, a, 0.99).help - a.help > 1) throw new Error("rho 0.99 keeps them close");
 * ```
 */
export function drawLatents(rng: Rng, harmfulRate: number, partner?: Latents, rho = 0): Latents {
  const mix = (p: number | undefined) =>
    p === undefined ? rng.normal() : rho * p + Math.sqrt(1 - rho * rho) * rng.normal();
  return {
    help: mix(partner?.help),
    rel: mix(partner?.rel),
    flaw: mix(partner?.flaw),
    verb: mix(partner?.verb),
    harmful: partner && rng.next() < rho ? partner.harmful : rng.next() < harmfulRate,
  };
}

/**
 * Writes a response: its markers, topic words and filler, shuffled into sentences.
 *
 * @param world The vocabulary.
 * @param z The latents.
 * @param topic The prompt's topic.
 * @param rng The generator.
 * @returns The text and the flaw count.
 * @example
 * ```ts
 * import { writeResponse } from "./sample.ts";
 * import { buildWorld, DEFAULT_SYNTHETIC } from "./world.ts";
 * import { Rng } from "../../contracts/rng.ts";
 * const w = buildWorld(DEFAULT_SYNTHETIC, 1);
 * const z = { help: 0, rel: 0, flaw: 0, verb: 0, harmful: true };
 * const r = writeResponse(w, z, 0, new Rng(1));
 * if (!r.text.split(/[ .]+/).some((x) => w.harm.words.includes(x))) throw new Error("harm shows");
 * ```
 */
export function writeResponse(
  world: World,
  z: Latents,
  topic: number,
  rng: Rng,
): { text: string; flaws: number } {
  const words: string[] = [];
  const add = (f: Family, n: number) => {
    for (let i = 0; i < n; i++) words.push(drawWord(f, rng));
  };
  add(world.helpful, poisson(3 * Math.exp(0.8 * z.help), rng));
  const flaws = poisson(0.8 * Math.exp(0.5 * z.flaw), rng);
  add(world.flaw, flaws);
  if (z.harmful) add(world.harm, 1 + poisson(2, rng));
  const topics = world.topics.length;
  const off = topics > 1 ? (topic + 1 + rng.int(topics - 1)) % topics : topic;
  const rel = relevance(z);
  const nTopic = 3 + poisson(5, rng);
  for (let i = 0; i < nTopic; i++) {
    words.push(drawWord(world.topics[rng.next() < rel ? topic : off], rng));
  }
  add(world.filler, 3 + poisson(10 * Math.exp(0.5 * z.verb), rng));
  return { text: _sentences(rng.shuffle(words), rng), flaws };
}

/**
 * Writes a prompt on `topic`: a few topic words among filler, as a question.
 *
 * @param world The vocabulary.
 * @param topic The topic index.
 * @param rng The generator.
 * @returns The prompt text.
 * @example
 * ```ts
 * import { writePrompt } from "./sample.ts";
 * import { buildWorld, DEFAULT_SYNTHETIC } from "./world.ts";
 * import { Rng } from "../../contracts/rng.ts";
 * if (!writePrompt(buildWorld(DEFAULT_SYNTHETIC, 1), 3, new Rng(1)).endsWith("?")) throw new Error();
 * ```
 */
export function writePrompt(world: World, topic: number, rng: Rng): string {
  const words: string[] = [];
  const nTopic = 2 + poisson(2, rng), nFiller = 3 + poisson(4, rng);
  for (let i = 0; i < nTopic; i++) words.push(drawWord(world.topics[topic], rng));
  for (let i = 0; i < nFiller; i++) words.push(drawWord(world.filler, rng));
  return `${rng.shuffle(words).join(" ")}?`;
}

/**
 * Generates the pairs of a world: prompts with 1 + Poisson(pairs_per_prompt - 1) pairs each, two
 * fresh responses per pair, and a Bradley-Terry human label.
 *
 * @param world The vocabulary and settings.
 * @param rng The generator (same seed, same pairs).
 * @returns Pairs with their hidden rewards, `config.pairs` of them.
 * @example
 * ```ts
 * import { samplePairs } from "./sample.ts";
 * import { buildWorld, DEFAULT_SYNTHETIC } from "./world.ts";
 * import { Rng } from "../../contracts/rng.ts";
 * const pairs = [...samplePairs(buildWorld({ ...DEFAULT_SYNTHETIC, pairs: 10 }, 1), new Rng(1))];
 * if (pairs.length !== 10 || pairs[0].row.label === null) throw new Error();
 * ```
 */
export function* samplePairs(world: World, rng: Rng): Generator<SyntheticPair> {
  const cfg = world.config;
  let made = 0;
  while (made < cfg.pairs) {
    const topic = rng.int(cfg.topics);
    const prompt = writePrompt(world, topic, rng);
    const group = groupId(prompt);
    const count = Math.min(cfg.pairs - made, 1 + poisson(cfg.pairs_per_prompt - 1, rng));
    for (let k = 0; k < count; k++) {
      const za = drawLatents(rng, cfg.harmful_rate);
      const zb = drawLatents(rng, cfg.harmful_rate, za, cfg.difficulty);
      const a = writeResponse(world, za, topic, rng);
      const b = writeResponse(world, zb, topic, rng);
      const rewardA = hiddenReward(za, a.flaws), rewardB = hiddenReward(zb, b.flaws);
      const diff = rewardA - rewardB;
      const pA = cfg.noise > 0 ? sigmoid(diff / cfg.noise) : diff > 0 ? 1 : diff < 0 ? 0 : 0.5;
      const label = rng.next() < pA ? 1 : -1;
      yield {
        row: {
          pair_id: pairId(prompt, a.text, b.text),
          group_id: group,
          prompt,
          response_a: a.text,
          response_b: b.text,
          label,
          split: "",
          gold: null,
          source: `synthetic:${made + 1}`,
        },
        rewardA,
        rewardB,
      };
      made++;
    }
  }
}

function _sentences(words: string[], rng: Rng): string {
  let out = "";
  let left = 0;
  for (const w of words) {
    if (left === 0) {
      if (out) out += ". ";
      left = 5 + rng.int(8);
    } else out += " ";
    out += w;
    left--;
  }
  return words.length ? `${out}.` : "";
}
