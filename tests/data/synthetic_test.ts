import assert from "node:assert/strict";
import * as synthetic from "../../src/stages/synthetic.ts";
import { pairRows } from "../../src/data/schema.ts";
import { buildWorld, DEFAULT_SYNTHETIC } from "../../src/data/synthetic/world.ts";
import { samplePairs, type SyntheticPair } from "../../src/data/synthetic/sample.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { runStage, testContext } from "./_ctx.ts";

const sample = (over: Partial<typeof DEFAULT_SYNTHETIC>, seed = 1): SyntheticPair[] => {
  const cfg = { ...DEFAULT_SYNTHETIC, ...over };
  return [...samplePairs(buildWorld(cfg, seed), new Rng(seed))];
};

Deno.test("synthetic: the same seed gives the same pairs; another seed gives others", async () => {
  const run = async (seed: number, withBlock: Record<string, unknown> = {}) =>
    (await runStage(
      synthetic,
      { pairs: 300, batch_size: 128, ...withBlock },
      testContext({ seed }),
    )).flatMap(pairRows);
  const a = await run(7);
  assert.deepEqual(await run(7), a);
  assert.equal(a.length, 300);
  assert.notDeepEqual((await run(8)).map((r) => r.pair_id), a.map((r) => r.pair_id));
  // The seed field overrides the pipeline seed.
  assert.deepEqual(await run(8, { seed: 7 }), a);
});

Deno.test("synthetic: emits batch_size batches of unsplit, labelled pairs with unique ids and logs agreement", async () => {
  const ctx = testContext();
  const out = await runStage(synthetic, { pairs: 1000, batch_size: 400 }, ctx);
  assert.deepEqual(out.map((b) => b.numRows), [400, 400, 200]);
  const rows = out.flatMap(pairRows);
  assert.ok(
    rows.every((r) => r.split === "" && r.gold === null && (r.label === 1 || r.label === -1)),
  );
  assert.equal(new Set(rows.map((r) => r.pair_id)).size, 1000);
  assert.ok(rows.every((r) => r.response_a !== r.response_b && r.source.startsWith("synthetic:")));
  assert.match(
    ctx.logs.find((l) => l.msg.startsWith("synthetic:"))!.msg,
    /^synthetic: 1000 pairs, labels agree with the hidden reward on \d+\.\d%$/,
  );
});

Deno.test("synthetic: default labels agree with the hidden reward's sign 70-85% of the time; noise 0 always", () => {
  for (const seed of [1, 2]) {
    const pairs = sample({ pairs: 4000 }, seed);
    const agree = pairs.filter((p) => Math.sign(p.rewardA - p.rewardB) === p.row.label).length /
      pairs.length;
    assert.ok(agree > 0.7 && agree < 0.85, `agreement ${agree}`);
    const a = pairs.filter((p) => p.row.label === 1).length / pairs.length;
    assert.ok(a > 0.45 && a < 0.55, `share of label 1: ${a}`);
  }
  const clean = sample({ pairs: 1000, noise: 0 });
  assert.ok(clean.every((p) => Math.sign(p.rewardA - p.rewardB) === p.row.label));
});

Deno.test("synthetic: prompts repeat as groups of about pairs_per_prompt pairs", () => {
  const pairs = sample({ pairs: 3000, pairs_per_prompt: 3 });
  const groups = new Map<string, string>();
  for (const p of pairs) {
    const prev = groups.get(p.row.group_id);
    assert.ok(prev === undefined || prev === p.row.prompt, "one prompt per group");
    groups.set(p.row.group_id, p.row.prompt);
  }
  const mean = pairs.length / groups.size;
  assert.ok(mean > 2.7 && mean < 3.3, `mean group size ${mean}`);
});

Deno.test("synthetic: markers follow Zipf's law: common ones dominate, rare ones still occur, and they co-occur", () => {
  const cfg = { ...DEFAULT_SYNTHETIC, pairs: 4000 };
  const world = buildWorld(cfg, 1);
  const rank = new Map(world.helpful.words.map((w, i) => [w, i]));
  const counts = new Array(cfg.marker_words).fill(0);
  let mixed = 0, rich = 0;
  for (const p of samplePairs(world, new Rng(1))) {
    for (const text of [p.row.response_a, p.row.response_b]) {
      const ranks = text.split(/[ .]+/).filter((w) => rank.has(w)).map((w) => rank.get(w)!);
      for (const r of ranks) counts[r]++;
      if (ranks.length >= 5) {
        rich++;
        if (ranks.some((r) => r < 10) && ranks.some((r) => r >= 50)) mixed++;
      }
    }
  }
  assert.ok(counts[0] > 20 * counts[100], `head ${counts[0]} vs rank 100 ${counts[100]}`);
  assert.ok(
    counts.slice(100).filter((c) => c > 0).length > 80,
    "most rare markers appear somewhere",
  );
  // A helpful answer mixes common and rare markers (what lets confident labels teach rare ones).
  assert.ok(
    mixed / rich > 0.5,
    `${mixed} of ${rich} marker-rich responses mix common and rare markers`,
  );
});

Deno.test("synthetic: more helpfulness markers and fewer flaw or harm markers mean a higher hidden reward", () => {
  const world = buildWorld(DEFAULT_SYNTHETIC, 1);
  const family = (words: string[]) => new Set(words);
  const helpful = family(world.helpful.words),
    bad = family([...world.flaw.words, ...world.harm.words]);
  const score = (t: string) => {
    const ws = t.split(/[ .]+/);
    return ws.filter((w) => helpful.has(w)).length - 3 * ws.filter((w) => bad.has(w)).length;
  };
  let agree = 0, n = 0;
  for (const p of sample({ pairs: 3000 })) {
    const d = score(p.row.response_a) - score(p.row.response_b);
    if (d === 0) continue;
    n++;
    if (Math.sign(d) === Math.sign(p.rewardA - p.rewardB)) agree++;
  }
  assert.ok(agree / n > 0.75, `marker evidence agrees with the hidden reward on ${agree / n}`);
});
