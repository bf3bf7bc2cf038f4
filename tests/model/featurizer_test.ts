import assert from "node:assert/strict";
import {
  DEFAULT_FEATURIZER,
  Featurizer,
  type FeaturizerConfig,
} from "../../src/model/featurizer.ts";

const make = (over: Partial<FeaturizerConfig> = {}) =>
  new Featurizer({ ...DEFAULT_FEATURIZER, ...over });
const ids = (
  f: Featurizer,
  text: string,
  ns: "prompt" | "response" = "response",
) => [...f.textIds(text, ns)];

Deno.test("featurizer emits one id per word n-gram: n words give n unigrams and n - 1 bigrams", () => {
  assert.equal(ids(make({ ngramMax: 1 }), "the cat sat on it").length, 5);
  assert.equal(ids(make(), "the cat sat on it").length, 9);
  assert.equal(ids(make({ ngramMax: 3 }), "the cat sat on it").length, 12);
  assert.equal(ids(make({ ngramMin: 2, ngramMax: 2 }), "the cat sat").length, 2);
  assert.deepEqual(ids(make(), ""), []);
});

Deno.test("featurizer ids are in text order: unigram then the bigram ending at each word", () => {
  const f = make({ buckets: 1 << 30 });
  const [cat] = ids(make({ buckets: 1 << 30, ngramMax: 1 }), "cat");
  const [the] = ids(make({ buckets: 1 << 30, ngramMax: 1 }), "the");
  const both = ids(f, "the cat");
  assert.equal(both.length, 3);
  assert.equal(both[0], the);
  assert.equal(both[1], cat);
  assert.notEqual(both[2], the);
  assert.notEqual(both[2], cat);
});

Deno.test("featurizer bigrams depend on word order, unigrams do not", () => {
  const f = make({ buckets: 1 << 30 });
  const ab = ids(f, "red apple"), ba = ids(f, "apple red");
  assert.deepEqual([ab[0], ab[1]].sort(), [ba[0], ba[1]].sort());
  assert.notEqual(ab[2], ba[2]);
});

Deno.test("featurizer hashes prompt and response in different namespaces", () => {
  const f = make({ buckets: 1 << 30 });
  const p = ids(f, "how do I bake bread", "prompt"), r = ids(f, "how do I bake bread", "response");
  assert.equal(p.length, r.length);
  for (let i = 0; i < p.length; i++) assert.notEqual(p[i], r[i]);
});

Deno.test("featurizer is case-insensitive, Unicode included", () => {
  const f = make();
  assert.deepEqual(ids(f, "Hello WORLD"), ids(f, "hello world"));
  assert.deepEqual(ids(f, "CAFÉ ΣΟΦΊΑ"), ids(f, "café σοφία"));
});

Deno.test("featurizer with max_tokens keeps the last ids of a long text", () => {
  const text = Array.from({ length: 300 }, (_, i) => `w${i}`).join(" ");
  const all = ids(make(), text);
  assert.equal(all.length, 599);
  const capped = ids(make({ maxTokens: 50 }), text);
  assert.deepEqual(capped, all.slice(-50));
  const [last] = ids(make({ ngramMax: 1 }), "w299");
  assert.ok(capped.includes(last), "the final word survives the cap");
});

Deno.test("featurizer is deterministic across instances and changes with the seed", () => {
  const text = "Is it safe to eat raw cookie dough?";
  assert.deepEqual(ids(make(), text), ids(make(), text));
  const other = ids(make({ seed: 1 }), text);
  assert.notDeepEqual(other, ids(make(), text));
});

Deno.test("featurizer ids stay below buckets, also when buckets is not a power of two", () => {
  for (const buckets of [1, 7, 1000, 262144]) {
    const f = make({ buckets, charNgramMax: 4 });
    for (
      const id of f.textIds(
        "Quick brown foxes jump over lazy dogs, don't they? Ünïcödé 東京",
        "prompt",
      )
    ) {
      assert.ok(id < buckets, `${id} < ${buckets}`);
    }
  }
});

Deno.test("featurizer adds character n-grams of the word wrapped in < and >", () => {
  // "abc" -> "<abc>": 3 trigrams; plus the word itself.
  assert.equal(ids(make({ ngramMax: 1, charNgramMin: 3, charNgramMax: 3 }), "abc").length, 4);
  // 3-5 grams of "<abc>": 3 + 2 + 1, plus the word.
  assert.equal(ids(make({ ngramMax: 1, charNgramMin: 3, charNgramMax: 5 }), "abc").length, 7);
  // Punctuation gets no character n-grams.
  assert.equal(ids(make({ ngramMax: 1, charNgramMin: 3, charNgramMax: 3 }), "!").length, 1);
  // Words sharing a stem share character n-grams.
  const f = make({ buckets: 1 << 30, ngramMax: 1, charNgramMin: 3, charNgramMax: 3 });
  const a = new Set(ids(f, "baking")), b = ids(f, "baked");
  assert.ok(b.filter((id) => a.has(id)).length >= 2, "<ba and bak are shared");
});

Deno.test("featurizer drops punctuation tokens when punctuation is off", () => {
  assert.equal(ids(make({ ngramMax: 1 }), "yes!!").length, 3);
  assert.equal(ids(make({ ngramMax: 1, punctuation: false }), "yes!!").length, 1);
});

Deno.test("featurizeTexts() returns CSR: offsets from 0, one bag per text, null texts empty", () => {
  const f = make();
  const csr = f.featurizeTexts(["a b", null, "", "c d e"], "response");
  assert.deepEqual([...csr.offsets], [0, 3, 3, 3, 8]);
  assert.equal(csr.ids.length, 8);
  assert.deepEqual([...csr.ids.subarray(3, 8)], ids(f, "c d e"));
});

Deno.test("featurizeTexts() grows its output past the first guess", () => {
  const long = Array.from({ length: 2000 }, (_, i) => `t${i}`).join(" ");
  const csr = make({ maxTokens: 100000 }).featurizeTexts([long, long], "prompt");
  assert.equal(csr.offsets[2], 2 * 3999);
});

Deno.test("Featurizer rejects impossible settings with the field and value", () => {
  assert.throws(
    () => make({ ngramMax: 0 }),
    /'ngramMax' must be an integer in \[ngramMin, 8\] \(or 0 with character n-grams\): current value is 0/,
  );
  assert.throws(() => make({ buckets: 0 }), /'buckets' must be an integer/);
  assert.throws(() => make({ charNgramMin: 5, charNgramMax: 3 }), /'charNgramMax' must be 0/);
  assert.throws(() => make({ maxTokens: 0 }), /'maxTokens' must be >= 1/);
});
