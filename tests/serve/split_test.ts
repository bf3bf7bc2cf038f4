import assert from "node:assert/strict";
import {
  cleanPrompt,
  cleanResponse,
  splitRule,
  splitTranscript,
  stripPrompt,
} from "../../src/serve/split.ts";

Deno.test("splitTranscript splits each chat template at its last assistant turn", () => {
  const cases: [string, string, string, string][] = [
    [
      "hh",
      "\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant: d </s>",
      "\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant:",
      "d",
    ],
    [
      "chatml",
      "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\nans<|im_end|>\n",
      "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n",
      "ans",
    ],
    [
      "llama3",
      "<|start_header_id|>user<|end_header_id|>\n\nq<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nans<|eot_id|>",
      "<|start_header_id|>user<|end_header_id|>\n\nq<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
      "ans",
    ],
    [
      "gemma",
      "<start_of_turn>user\nq<end_of_turn>\n<start_of_turn>model\nans<end_of_turn>",
      "<start_of_turn>user\nq<end_of_turn>\n<start_of_turn>model\n",
      "ans",
    ],
    ["mistral", "<s>[INST] q [/INST] ans</s>", "<s>[INST] q [/INST]", "ans"],
    [
      "phi3",
      "<|user|>\nq<|end|>\n<|assistant|>\nans<|end|>\n<|endoftext|>",
      "<|user|>\nq<|end|>\n<|assistant|>\n",
      "ans",
    ],
  ];
  for (const [rule, text, prompt, response] of cases) {
    assert.deepEqual(splitTranscript(text, splitRule(rule)), { prompt, response }, rule);
    assert.deepEqual(
      splitTranscript(text, splitRule("auto")),
      { prompt, response },
      `auto on ${rule}`,
    );
  }
  assert.equal(splitTranscript("<|im_start|>assistant\nx", splitRule("hh")), null);
});

Deno.test("auto takes the latest marker of any template, and a quoted earlier marker does not split", () => {
  const text = "\n\nHuman: what does <|im_start|>assistant mean?\n\nAssistant: a ChatML marker";
  assert.deepEqual(splitTranscript(text, splitRule("auto")), {
    prompt: "\n\nHuman: what does <|im_start|>assistant mean?\n\nAssistant:",
    response: "a ChatML marker",
  });
});

Deno.test("custom markers, prompt prefixes and end tokens", () => {
  assert.deepEqual(splitTranscript("x\n### Response:\n y", splitRule("marker:\\n### Response:")), {
    prompt: "x\n### Response:",
    response: "y",
  });
  assert.throws(() => splitRule("marker:"), /marker is empty/);
  assert.throws(
    () => splitRule("vicuna"),
    /use auto, hh, chatml, llama3, gemma, mistral, phi3 or marker:<text>/,
  );
  assert.equal(stripPrompt("P: hi A: yo<|im_end|>", "P: hi A:"), "yo");
  assert.equal(stripPrompt("P: hi A: yo", "P: ho"), null);
  assert.equal(cleanPrompt("<|endoftext|><|endoftext|>P: hi"), "P: hi");
  assert.equal(cleanPrompt("P: <pad> hi"), "P: <pad> hi", "only leading padding goes");
  assert.equal(cleanResponse("  ok </s><|eot_id|> \n"), "ok");
  assert.equal(cleanResponse("a </s> b"), "a </s> b", "only trailing tokens go");
  assert.equal(cleanResponse("ok<|im_end|><pad><pad>"), "ok");
  assert.deepEqual(
    splitTranscript(
      "<pad><pad><|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\nok<|im_end|><pad>",
      splitRule("auto"),
    ),
    { prompt: "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n", response: "ok" },
    "a left- and right-padded row of a decoded batch",
  );
});
