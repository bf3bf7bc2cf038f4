import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { WordPieceTokenizer } from "../../src/encoder/tokenizer.ts";
import { reference, TINY_BERT } from "./_fixtures.ts";

const ref = await reference(TINY_BERT);
const tok = WordPieceTokenizer.fromJson(
  JSON.parse(await Deno.readTextFile(`${TINY_BERT}tokenizer.json`)),
  "tokenizer.json",
);

Deno.test("tokenizer gives the ids of the `tokenizers` library on the Unicode test corpus", () => {
  ref.texts.forEach((text, i) => {
    assertEquals(Array.from(tok.encode(text, 100_000)), ref.ids[i], JSON.stringify(text));
  });
});

Deno.test("truncation keeps the end of a long text, as `tokenizers` with direction left", () => {
  ref.texts.forEach((text, i) => {
    assertEquals(Array.from(tok.encode(text, ref.max_tokens)), ref.ids_truncated[i], text);
  });
  assertEquals(Array.from(tok.encode("one two three", 2)), [tok.clsId, tok.sepId]);
});

Deno.test("a word over max_input_chars_per_word is one [UNK]; one of exactly that many is split", () => {
  const unk = tok.model.unkId;
  assertEquals(tok.wordIds("b".repeat(101)), [unk]);
  assertEquals(tok.wordIds("b".repeat(100)).includes(unk), false);
});

Deno.test("fromJson names the field of a tokenizer that is not WordPiece", () => {
  assertThrows(
    () => WordPieceTokenizer.fromJson({ model: { type: "BPE", vocab: {} } }, "t.json"),
    /Cannot read tokenizer 't.json' as field 'model.type' is "BPE": serflow reads WordPiece/,
  );
  assertThrows(
    () =>
      WordPieceTokenizer.fromJson({
        model: { type: "WordPiece", vocab: { "[UNK]": 0 } },
        pre_tokenizer: { type: "Metaspace" },
      }, "t.json"),
    /field 'pre_tokenizer.type' is "Metaspace"/,
  );
});
