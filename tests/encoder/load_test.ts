import assert from "node:assert/strict";
import { parseEncoderConfig } from "../../src/encoder/config.ts";
import { floatToHalf, halfToFloat, halvesToFloats } from "../../src/encoder/f16.ts";
import { loadEncoder } from "../../src/encoder/load.ts";
import { parseSafetensors } from "../../src/encoder/safetensors.ts";
import { TINY_BERT, TINY_BERT_F16 } from "./_fixtures.ts";

const BERT = {
  model_type: "bert",
  hidden_act: "gelu",
  vocab_size: 10,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
};

Deno.test("parseEncoderConfig names the field of a model that is not a BERT-family encoder", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ model_type: "roberta" }, /field 'model_type' is "roberta", not one of bert/],
    [{ hidden_act: "gelu_new" }, /field 'hidden_act' is "gelu_new", not "gelu"/],
    [
      { position_embedding_type: "relative_key" },
      /field 'position_embedding_type' is "relative_key"/,
    ],
    [{ is_decoder: true }, /field 'is_decoder' is true/],
    [{ num_attention_heads: 3 }, /field 'num_attention_heads' \(3\) does not divide hidden_size/],
    [{ hidden_size: "8" }, /field 'hidden_size' must be a positive integer: current value is "8"/],
  ];
  for (const [patch, re] of cases) {
    assert.throws(() => parseEncoderConfig({ ...BERT, ...patch }, "m/config.json"), re);
  }
  assert.throws(
    () => parseEncoderConfig({ ...BERT, model_type: "roberta" }, "m/config.json"),
    /^RangeError: Cannot run the model of 'm\/config.json' as field 'model_type'/,
  );
  assert.equal(parseEncoderConfig(BERT, "c").typeVocabSize, 2);
});

function file(header: unknown, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

Deno.test("parseSafetensors reads F16 bits and refuses other dtypes, bad ranges and short files", () => {
  const bits = new Uint16Array([0x3c00, 0xc000, 0x0001]);
  const t = parseSafetensors(
    file({ w: { dtype: "F16", shape: [3], data_offsets: [0, 6] } }, new Uint8Array(bits.buffer)),
    "x",
  ).get("w")!;
  assert.deepEqual(Array.from(t.f32()), [1, -2, 2 ** -24]);
  assert.throws(
    () =>
      parseSafetensors(
        file({ w: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
        "m.safetensors",
      ),
    /Cannot read tensor 'w' of 'm.safetensors' as its dtype is I64: serflow reads F32, F16 and BF16/,
  );
  assert.throws(
    () =>
      parseSafetensors(
        file({ w: { dtype: "F32", shape: [4], data_offsets: [0, 8] } }, new Uint8Array(8)),
        "m",
      ),
    /byte range \[0, 8\) does not hold shape \[4\] of F32/,
  );
  assert.throws(
    () => parseSafetensors(new TextEncoder().encode("version https://git-lfs"), "m"),
    /its header claims \d+ bytes but the file has 23: is it a complete download/,
  );
});

Deno.test("f16 conversion round-trips every finite half and rounds to nearest even", () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const floats = halvesToFloats(all);
  for (let h = 0; h < 65536; h++) {
    if (Number.isNaN(floats[h])) continue;
    assert.equal(floatToHalf(floats[h]), h, `half 0x${h.toString(16)}`);
  }
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00); // a tie rounds to the even neighbour
  assert.equal(halfToFloat(floatToHalf(65520)), Infinity);
});

Deno.test("loadEncoder reads the f32 and f16 fixtures with ids that tell them apart", async () => {
  const a = await loadEncoder(TINY_BERT), b = await loadEncoder(TINY_BERT_F16);
  assert.equal(a.weights.dtype, "F32");
  assert.equal(b.weights.dtype, "F16");
  assert.equal(b.weights.layers[0].qkvW.shape.join(), "96,32");
  assert.notEqual(a.id.split("@")[1], b.id.split("@")[1]);
});
