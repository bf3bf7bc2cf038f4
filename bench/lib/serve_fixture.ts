/**
 * The serving benchmark's model and texts: a checkpoint of the default model shape (weights as
 * initialised: speed does not depend on training) with the default featurizer, and RLHF-like
 * requests (several sampled responses per prompt, as trainers send them).
 *
 * @module
 */
import { join } from "node:path";
import { saveCheckpoint } from "../../src/model/checkpoint.ts";
import { DEFAULT_FEATURIZER } from "../../src/model/featurizer.ts";
import { initParams } from "../../src/model/params.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";
import { Rng } from "../../src/contracts/rng.ts";

/** How the benchmark's texts look. */
export interface TextShape {
  /** Words per prompt and per response. */
  promptWords: number;
  responseWords: number;
  /** Responses per prompt (OpenRLHF's n_samples_per_prompt). */
  samplesPerPrompt: number;
  /** Items (prompt + response) per request. */
  itemsPerRequest: number;
}

/** The default text shape. */
export const TEXT_SHAPE: TextShape = {
  promptWords: 40,
  responseWords: 80,
  samplesPerPrompt: 4,
  itemsPerRequest: 16,
};

const WORDS = ("the a of to and in is it you that he was for on are with as his they be at one " +
  "have this from or had by hot word but what some we can out other were all there when up use " +
  "your how said an each she which do their time if will way about many then them write would " +
  "like so these her long make thing see him two has look more day could go come did number " +
  "sound no most people my over know water than call first who may down side been now find " +
  "answer helpful sorry cannot explain step first second safe recipe code error sure thanks").split(
    " ",
  );

/**
 * Writes the benchmark checkpoint.
 *
 * @param dir A folder; the checkpoint goes to `<dir>/checkpoints/bench.ckpt`.
 * @returns Its path.
 */
export async function writeBenchCheckpoint(dir: string): Promise<string> {
  const path = join(dir, "checkpoints", "bench.ckpt");
  await saveCheckpoint(path, {
    model: DEFAULT_MODEL,
    featurizer: DEFAULT_FEATURIZER,
    params: initParams(DEFAULT_MODEL, new Rng(1)),
    metadata: {
      createdAt: new Date().toISOString(),
      iteration: 0,
      dataHash: "",
      metrics: {},
      runId: "bench",
      stageId: "bench",
      rewardStats: { mean: 0, std: 1, count: 0 },
    },
  });
  return path;
}

/**
 * @param count Distinct request bodies to make.
 * @param shape The text shape.
 * @param seed The generator seed.
 * @returns OpenRLHF `/get_reward` bodies (`query` and `prompts`), as JSON strings.
 */
export function requestBodies(count: number, shape: TextShape, seed = 7): string[] {
  const rng = new Rng(seed);
  const text = (n: number) =>
    Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]).join(" ");
  return Array.from({ length: count }, () => {
    const query: string[] = [], prompts: string[] = [];
    let prompt = "";
    for (let i = 0; i < shape.itemsPerRequest; i++) {
      if (i % shape.samplesPerPrompt === 0) {
        prompt = `\n\nHuman: ${text(shape.promptWords)}\n\nAssistant:`;
      }
      prompts.push(prompt);
      query.push(`${prompt} ${text(shape.responseWords)}`);
    }
    return JSON.stringify({ query, prompts });
  });
}
