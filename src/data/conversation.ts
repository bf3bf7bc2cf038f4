/**
 * Conversational preference data (TRL's conversational form: lists of `{role, content}`
 * messages) rendered as text with role markers.
 *
 * @module
 */

/** One chat message. */
export interface Message {
  role: string;
  content: string;
}

/**
 * Checks that `value` is a list of `{role, content}` messages with string fields.
 *
 * @param value Any parsed value.
 * @returns True for a (possibly empty) message list.
 * @example
 * ```ts
 * import { isMessageList } from "./conversation.ts";
 * if (!isMessageList([{ role: "user", content: "hi" }]) || isMessageList("hi")) throw new Error();
 * ```
 */
export function isMessageList(value: unknown): value is Message[] {
  return Array.isArray(value) &&
    value.every((m) =>
      m !== null && typeof m === "object" && typeof (m as Message).role === "string" &&
      typeof (m as Message).content === "string"
    );
}

/**
 * Renders messages as `"Role: content"` blocks separated by blank lines (`User: hi\n\nAssistant:
 * hello`). A single assistant message (a response) renders as its content alone.
 *
 * @param messages The messages.
 * @returns The text.
 * @example
 * ```ts
 * import { renderMessages } from "./conversation.ts";
 * const t = renderMessages([{ role: "user", content: "hi" }, { role: "assistant", content: "yo" }]);
 * if (t !== "User: hi\n\nAssistant: yo") throw new Error(t);
 * ```
 */
export function renderMessages(messages: readonly Message[]): string {
  if (messages.length === 1 && messages[0].role === "assistant") return messages[0].content.trim();
  return messages.map((m) => `${_roleName(m.role)}: ${m.content.trim()}`).join("\n\n");
}

/**
 * Splits two full conversations (TRL's implicit-prompt form) at their longest common message
 * prefix.
 *
 * @param chosen The preferred conversation.
 * @param rejected The other conversation.
 * @returns The shared prompt messages and each side's remaining messages.
 * @example
 * ```ts
 * import { splitConversations } from "./conversation.ts";
 * const u = { role: "user", content: "hi" };
 * const s = splitConversations([u, { role: "assistant", content: "a" }], [u, { role: "assistant", content: "b" }]);
 * if (s.prompt.length !== 1 || s.chosen[0].content !== "a") throw new Error();
 * ```
 */
export function splitConversations(
  chosen: readonly Message[],
  rejected: readonly Message[],
): { prompt: Message[]; chosen: Message[]; rejected: Message[] } {
  let k = 0;
  while (
    k < chosen.length && k < rejected.length && chosen[k].role === rejected[k].role &&
    chosen[k].content === rejected[k].content
  ) k++;
  // The prompt must end before an assistant turn: back up over shared assistant messages.
  while (k > 0 && chosen[k - 1].role === "assistant") k--;
  return { prompt: chosen.slice(0, k), chosen: chosen.slice(k), rejected: rejected.slice(k) };
}

/**
 * The first user message of a conversation: the prompt group key of conversational data.
 *
 * @param messages The prompt messages.
 * @returns The first user (or human) message's content, else all messages rendered.
 * @example
 * ```ts
 * import { firstUserTurn } from "./conversation.ts";
 * if (firstUserTurn([{ role: "system", content: "s" }, { role: "user", content: "q" }]) !== "q") {
 *   throw new Error();
 * }
 * ```
 */
export function firstUserTurn(messages: readonly Message[]): string {
  const first = messages.find((m) => m.role === "user" || m.role === "human");
  return first ? first.content.trim() : renderMessages(messages);
}

function _roleName(role: string): string {
  return role.length === 0 ? "Unknown" : role[0].toUpperCase() + role.slice(1);
}
