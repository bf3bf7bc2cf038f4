import assert from "node:assert/strict";
import { Dictionary, Int32, Utf8, vectorFromArray } from "apache-arrow";
import { utf8Bytes, utf8Of } from "../../src/pool/utf8_column.ts";

const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

Deno.test("utf8Bytes() gives each row's bytes of a plain, sliced or dictionary column", () => {
  const values = ["añb", null, "", "😀", "z"];
  const plain = vectorFromArray(values, new Utf8());
  const all = utf8Bytes(plain);
  assert.deepEqual(values.map((_, i) => text(all(i))), values);
  const slice = utf8Bytes(plain.slice(1, 4));
  assert.deepEqual([0, 1, 2].map((i) => text(slice(i))), [null, "", "😀"]);
  const noNulls = utf8Bytes(vectorFromArray(["x", "yy"], new Utf8()).slice(1));
  assert.equal(text(noNulls(0)), "yy");
  const dict = vectorFromArray(["b", "a", "b"], new Dictionary(new Utf8(), new Int32()));
  const coded = utf8Bytes(dict);
  assert.deepEqual([0, 1, 2].map((i) => text(coded(i))), ["b", "a", "b"]);
});

Deno.test("utf8Of() encodes ASCII strings together and others one by one, alike", () => {
  for (const strings of [["pair-1", "", "x"], ["pair-1", "pär-2", "", "😀"]]) {
    const at = utf8Of(strings);
    assert.deepEqual(strings.map((_, i) => text(at(i))), strings);
  }
});
