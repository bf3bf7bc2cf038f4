import assert from "node:assert/strict";
import { tokenize } from "../../src/model/tokenize.ts";

Deno.test("tokenize() lower-cases and keeps accented, Cyrillic and Devanagari words whole", () => {
  assert.deepEqual(tokenize("Café STRASSE Привет हिन्दी"), ["café", "strasse", "привет", "हिन्दी"]);
});

Deno.test("tokenize() splits on punctuation and keeps each mark as its own token", () => {
  assert.deepEqual(tokenize("Hi, you... OK?"), ["hi", ",", "you", ".", ".", ".", "ok", "?"]);
  assert.deepEqual(tokenize("don't"), ["don", "'", "t"]);
});

Deno.test("tokenize() drops punctuation and symbols when asked", () => {
  assert.deepEqual(tokenize("Hi, you... OK? 😀", { punctuation: false }), ["hi", "you", "ok"]);
});

Deno.test("tokenize() makes each Han and Kana character a token", () => {
  assert.deepEqual(tokenize("東京タワーabc"), ["東", "京", "タ", "ワ", "ー", "abc"]);
});

Deno.test("tokenize() keeps astral letters in words and emoji as symbols", () => {
  assert.deepEqual(tokenize("𝒜bc 😀👍"), ["𝒜bc", "😀", "👍"]);
});

Deno.test("tokenize() treats every kind of whitespace and control character as a separator", () => {
  assert.deepEqual(tokenize("a\tb\nc\u00a0d\u2003e\u0000f\u200bg"), [
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
  ]);
  assert.deepEqual(tokenize(""), []);
  assert.deepEqual(tokenize("   "), []);
});

Deno.test("tokenize() keeps digits inside words and numbers", () => {
  assert.deepEqual(tokenize("GPT4 3.14 ١٢٣"), ["gpt4", "3", ".", "14", "١٢٣"]);
});
