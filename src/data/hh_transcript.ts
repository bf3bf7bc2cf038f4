/**
 * Splits an Anthropic HH-RLHF pair of full transcripts into a shared prompt and two responses.
 *
 * @module
 */

/** The marker that opens an assistant turn in HH-RLHF transcripts. */
export const ASSISTANT = "\n\nAssistant:";
/** The marker that opens a human turn in HH-RLHF transcripts. */
export const HUMAN = "\n\nHuman:";

/** A transcript pair split into prompt and responses. */
export interface TranscriptSplit {
  /** The shared context, ending with `"\n\nAssistant:"`. */
  prompt: string;
  /** What follows the prompt in the chosen transcript, trimmed. */
  chosen: string;
  /** What follows the prompt in the rejected transcript, trimmed. */
  rejected: string;
}

/**
 * Splits two transcripts at the longest common prefix that ends with `"\n\nAssistant:"`: usually
 * the last assistant turn, earlier when the transcripts already differ before it.
 *
 * @param chosen The preferred transcript.
 * @param rejected The other transcript.
 * @returns The split, or a string saying why the pair has no common prompt.
 * @example
 * ```ts
 * import { splitTranscripts } from "./hh_transcript.ts";
 * const s = splitTranscripts("\n\nHuman: hi\n\nAssistant: hello", "\n\nHuman: hi\n\nAssistant: go away");
 * if (typeof s === "string" || s.chosen !== "hello" || s.prompt !== "\n\nHuman: hi\n\nAssistant:") {
 *   throw new Error();
 * }
 * ```
 */
export function splitTranscripts(chosen: string, rejected: string): TranscriptSplit | string {
  const n = Math.min(chosen.length, rejected.length);
  let common = 0;
  while (common < n && chosen.charCodeAt(common) === rejected.charCodeAt(common)) common++;
  // The marker must end within the common prefix.
  const at = chosen.lastIndexOf(ASSISTANT, common - ASSISTANT.length);
  if (at < 0 || common < ASSISTANT.length) {
    return chosen.includes(ASSISTANT) && rejected.includes(ASSISTANT)
      ? `the transcripts differ before their first "\\n\\nAssistant:", so they share no prompt`
      : `a transcript has no "\\n\\nAssistant:" turn; is this HH-RLHF data? ` +
        `Set format to prompt-chosen-rejected for prompt/chosen/rejected columns`;
  }
  const end = at + ASSISTANT.length;
  return {
    prompt: chosen.slice(0, end),
    chosen: chosen.slice(end).trim(),
    rejected: rejected.slice(end).trim(),
  };
}

/**
 * The first human turn of a transcript or prompt: the prompt group key of HH-RLHF data.
 *
 * @param transcript A transcript (`"\n\nHuman: ...\n\nAssistant: ..."`).
 * @returns The first human turn's text, trimmed (the whole text when it has no human marker).
 * @example
 * ```ts
 * import { firstHumanTurn } from "./hh_transcript.ts";
 * if (firstHumanTurn("\n\nHuman: hi there\n\nAssistant: yo") !== "hi there") throw new Error();
 * ```
 */
export function firstHumanTurn(transcript: string): string {
  const start = transcript.indexOf(HUMAN);
  if (start < 0) return transcript.trim();
  const from = start + HUMAN.length;
  const end = transcript.indexOf(ASSISTANT, from);
  return transcript.slice(from, end < 0 ? undefined : end).trim();
}
