/**
 * A pool pair's text as trainers want it: the prompt as chat messages (HH-RLHF transcripts
 * `"\n\nHuman: ...\n\nAssistant:"` and serflow's rendered `"User: ...\n\nAssistant: ..."` blocks
 * become turns; any other prompt is one user message), and the response text that makes
 * `prompt + responseText` the full text.
 *
 * @module
 */
import type { Message } from "../data/conversation.ts";

const HH_TURN = /\n\n(Human|Assistant):/g;
const RENDERED_START = /^(System|User|Human|Assistant): /;
const RENDERED_TURN = /\n\n(System|User|Human|Assistant): /g;
const ROLES: Record<string, string> = {
  Human: "user",
  User: "user",
  Assistant: "assistant",
  System: "system",
};

/** How a prompt is written. */
export type PromptKind = "hh" | "rendered" | "plain";

/**
 * @param prompt A pool prompt.
 * @returns `hh` for an HH-RLHF transcript, `rendered` for role blocks, else `plain`.
 * @example
 * ```ts
 * import { promptKind } from "./export_text.ts";
 * if (promptKind("\n\nHuman: hi\n\nAssistant:") !== "hh" || promptKind("Why?") !== "plain") {
 *   throw new Error();
 * }
 * ```
 */
export function promptKind(prompt: string): PromptKind {
  if (prompt.startsWith("\n\nHuman:")) return "hh";
  return RENDERED_START.test(prompt) ? "rendered" : "plain";
}

function _turns(text: string, re: RegExp, first: string): Message[] {
  const out: Message[] = [];
  let role = first, from = 0;
  for (const m of text.matchAll(re)) {
    out.push({ role: ROLES[role] ?? role, content: text.slice(from, m.index).trim() });
    role = m[1];
    from = m.index! + m[0].length;
  }
  out.push({ role: ROLES[role] ?? role, content: text.slice(from).trim() });
  return out;
}

/**
 * The prompt as chat messages. An HH transcript's closing empty `"Assistant:"` turn is dropped:
 * the response fills it.
 *
 * @param prompt A pool prompt.
 * @returns The messages (one user message for a plain prompt).
 * @example
 * ```ts
 * import { promptMessages } from "./export_text.ts";
 * const m = promptMessages("\n\nHuman: hi\n\nAssistant: yo\n\nHuman: how?\n\nAssistant:");
 * if (m.length !== 3 || m[1].role !== "assistant" || m[2].content !== "how?") throw new Error();
 * ```
 */
export function promptMessages(prompt: string): Message[] {
  const kind = promptKind(prompt);
  if (kind === "plain") return [{ role: "user", content: prompt.trim() }];
  const turns = kind === "hh"
    ? _turns(prompt, HH_TURN, "").slice(1)
    : _turns(`\n\n${prompt}`, RENDERED_TURN, "").slice(1);
  const last = turns[turns.length - 1];
  if (last && last.role === "assistant" && last.content === "") turns.pop();
  return turns;
}

/**
 * A response as chat messages: usually one assistant message; more when the response itself
 * continues the conversation (HH pairs whose transcripts part before the last assistant turn).
 *
 * @param prompt The pair's prompt (decides how turns are marked).
 * @param response The response.
 * @returns The messages, starting with the assistant's.
 * @example
 * ```ts
 * import { responseMessages } from "./export_text.ts";
 * const m = responseMessages("\n\nHuman: hi\n\nAssistant:", "yo\n\nHuman: ok?\n\nAssistant: ok");
 * if (m.length !== 3 || m[0].content !== "yo" || m[1].role !== "user") throw new Error();
 * ```
 */
export function responseMessages(prompt: string, response: string): Message[] {
  const kind = promptKind(prompt);
  if (kind === "hh") return _turns(response, HH_TURN, "Assistant");
  if (kind === "rendered" && RENDERED_START.test(response)) {
    return _turns(`\n\n${response}`, RENDERED_TURN, "").slice(1);
  }
  return [{ role: "assistant", content: response.trim() }];
}

/**
 * The response as it continues the prompt, so that `prompt + responseText(prompt, response)` is
 * the full text: nothing is put before it after an empty prompt or one ending in whitespace, a
 * space after a turn marker (`"Assistant:"`), a new `"Assistant: "` block after rendered turns
 * (unless the response opens its own block), else a blank line.
 *
 * @param prompt The prompt.
 * @param response The response.
 * @returns The separator and the response.
 * @example
 * ```ts
 * import { responseText } from "./export_text.ts";
 * if (responseText("\n\nHuman: hi\n\nAssistant:", "yo") !== " yo") throw new Error();
 * if (responseText("User: hi", "yo") !== "\n\nAssistant: yo") throw new Error();
 * if (responseText("Why?", "Because.") !== "\n\nBecause.") throw new Error();
 * ```
 */
export function responseText(prompt: string, response: string): string {
  if (prompt === "" || /\s$/.test(prompt)) return response;
  if (prompt.endsWith(":")) return ` ${response}`;
  if (promptKind(prompt) === "rendered" && !RENDERED_START.test(response)) {
    return `\n\nAssistant: ${response}`;
  }
  return `\n\n${response}`;
}
