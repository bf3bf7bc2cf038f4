/**
 * Splits an RLHF trainer's full text (prompt + response) into the prompt and the response the
 * reward model scores: by the known prompt (`stripPrompt`), or at the last assistant turn
 * (`splitTranscript`) under a rule: HH-RLHF's `\n\nAssistant:` or a chat template's marker.
 *
 * Either way the prompt keeps the marker (as the HH reader does) and loses leading padding tokens,
 * and the response is trimmed and loses trailing end-of-turn and padding tokens (`<|im_end|>`,
 * `<|eot_id|>`, `</s>`, `<pad>`, ...), which trainers send but training data does not contain.
 *
 * @module
 */

/** The assistant-turn markers of the built-in split rules. */
export const SPLIT_MARKERS: Readonly<Record<string, readonly string[]>> = {
  hh: ["\n\nAssistant:"],
  chatml: ["<|im_start|>assistant\n", "<|im_start|>assistant"],
  llama3: [
    "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "<|start_header_id|>assistant<|end_header_id|>",
  ],
  gemma: ["<start_of_turn>model\n", "<start_of_turn>model"],
  mistral: ["[/INST]"],
  phi3: ["<|assistant|>\n", "<|assistant|>"],
};

/** End-of-turn and end-of-text tokens removed from the end of a response. */
export const END_TOKENS: readonly string[] = [
  "<|im_end|>",
  "<|eot_id|>",
  "<|end_of_text|>",
  "<end_of_turn>",
  "<|endoftext|>",
  "<|end|>",
  "</s>",
  "<eos>",
  "<pad>",
  "<|pad|>",
  "<|finetune_right_pad_id|>",
];

/** Padding tokens removed from the start of a prompt (left padding of a decoded batch). */
export const PAD_TOKENS: readonly string[] = [
  "<pad>",
  "<|pad|>",
  "<|endoftext|>",
  "<|end_of_text|>",
  "<|finetune_right_pad_id|>",
  "</s>",
  "<eos>",
];

/**
 * Cleans a prompt: removes leading padding tokens (a trainer that decodes a left-padded batch
 * with its special tokens sends them).
 *
 * @param text The raw prompt.
 * @returns The prompt without leading padding.
 * @example
 * ```ts
 * import { cleanPrompt } from "./split.ts";
 * if (cleanPrompt("<pad><pad>\n\nHuman: hi") !== "\n\nHuman: hi") throw new Error();
 * ```
 */
export function cleanPrompt(text: string): string {
  let s = text;
  for (let again = true; again;) {
    again = false;
    for (const t of PAD_TOKENS) {
      if (s.startsWith(t)) {
        s = s.slice(t.length);
        again = true;
      }
    }
  }
  return s;
}

/** A split rule: the markers that open an assistant turn (the last occurrence of any wins). */
export interface SplitRule {
  /** The rule's name as given (`auto`, `hh`, `chatml`, ..., or `marker:<text>`). */
  name: string;
  markers: readonly string[];
}

/**
 * Parses a split rule: `auto` (every built-in marker), a built-in name (`hh`, `chatml`,
 * `llama3`, `gemma`, `mistral`, `phi3`), or `marker:<text>` for a custom marker (`\n` allowed).
 *
 * @param name The rule.
 * @returns The rule.
 * @throws {RangeError} For an unknown name or an empty custom marker.
 * @example
 * ```ts
 * import { splitRule } from "./split.ts";
 * if (splitRule("marker:### Response:").markers[0] !== "### Response:") throw new Error();
 * ```
 */
export function splitRule(name: string): SplitRule {
  if (name === "auto") return { name, markers: Object.values(SPLIT_MARKERS).flat() };
  if (name.startsWith("marker:")) {
    const marker = name.slice("marker:".length).replaceAll("\\n", "\n");
    if (!marker) {
      throw new RangeError(`Cannot use split rule '${name}' as its marker is empty`);
    }
    return { name, markers: [marker] };
  }
  const markers = SPLIT_MARKERS[name];
  if (!markers) {
    throw new RangeError(
      `Cannot use split rule '${name}' as it is unknown: use auto, ${
        Object.keys(SPLIT_MARKERS).join(", ")
      } or marker:<text>`,
    );
  }
  return { name, markers };
}

/**
 * Cleans a response: removes trailing end-of-turn tokens and surrounding white space.
 *
 * @param text The raw response.
 * @returns The cleaned response.
 * @example
 * ```ts
 * import { cleanResponse } from "./split.ts";
 * if (cleanResponse(" Hi there.<|im_end|>\n") !== "Hi there.") throw new Error();
 * ```
 */
export function cleanResponse(text: string): string {
  let s = text.trim();
  for (let again = true; again;) {
    again = false;
    for (const t of END_TOKENS) {
      if (s.endsWith(t)) {
        s = s.slice(0, -t.length).trimEnd();
        again = true;
      }
    }
  }
  return s.trimStart();
}

/**
 * Splits a full text at the last assistant turn.
 *
 * @param text Prompt and response as one text.
 * @param rule The split rule.
 * @returns The prompt (up to and including the marker) and the cleaned response, or null when
 *   the text contains no marker of the rule.
 * @example
 * ```ts
 * import { splitRule, splitTranscript } from "./split.ts";
 * const s = splitTranscript("\n\nHuman: hi\n\nAssistant: hello", splitRule("auto"));
 * if (s?.prompt !== "\n\nHuman: hi\n\nAssistant:" || s.response !== "hello") throw new Error();
 * ```
 */
export function splitTranscript(
  text: string,
  rule: SplitRule,
): { prompt: string; response: string } | null {
  let best = -1, end = -1;
  for (const m of rule.markers) {
    const at = text.lastIndexOf(m);
    // The latest marker wins; at the same place, the longer one (it includes the newline).
    if (at > best || (at === best && at >= 0 && at + m.length > end)) {
      best = at;
      end = at + m.length;
    }
  }
  if (best < 0) return null;
  return { prompt: cleanPrompt(text.slice(0, end)), response: cleanResponse(text.slice(end)) };
}

/**
 * Removes a known prompt from the front of a full text.
 *
 * @param text Prompt and response as one text.
 * @param prompt The prompt the text starts with.
 * @returns The cleaned response, or null when `text` does not start with `prompt`.
 * @example
 * ```ts
 * import { stripPrompt } from "./split.ts";
 * if (stripPrompt("Q: 2+2? A: 4</s>", "Q: 2+2? A:") !== "4") throw new Error();
 * ```
 */
export function stripPrompt(text: string, prompt: string): string | null {
  return text.startsWith(prompt) ? cleanResponse(text.slice(prompt.length)) : null;
}
