/**
 * Reading typed fields out of a parsed record, with messages that say which field, what was
 * found, and how to map it.
 *
 * @module
 */
import { isMessageList, type Message, renderMessages } from "./conversation.ts";

/** A malformed record: its message is the reason, without file or line (the reader adds them). */
export class BadRecord extends Error {}

/**
 * @returns The value at `name` (a column, or a dotted path into nested objects), or undefined.
 * @example
 * ```ts
 * import { lookupField } from "./record_fields.ts";
 * if (lookupField({ meta: { q: "hi" } }, "meta.q") !== "hi") throw new Error();
 * ```
 */
export function lookupField(rec: Record<string, unknown>, name: string): unknown {
  if (name in rec) return rec[name];
  if (!name.includes(".")) return undefined;
  let cur: unknown = rec;
  for (const part of name.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * @returns The value at `name`; throws {@linkcode BadRecord} when it is missing or null.
 * @example
 * ```ts
 * import { BadRecord, requireField } from "./record_fields.ts";
 * try {
 *   requireField({ a: 1 }, "prompt", "prompt");
 *   throw new Error("expected a BadRecord");
 * } catch (e) {
 *   if (!(e instanceof BadRecord) || !e.message.includes("map it with fields.prompt")) throw e;
 * }
 * ```
 */
export function requireField(rec: Record<string, unknown>, name: string, part: string): unknown {
  const v = lookupField(rec, name);
  if (v === undefined) {
    const have = Object.keys(rec).slice(0, 12).join(", ");
    throw new BadRecord(
      `missing field '${name}' (${part}); the record has ${have}; map it with fields.${part}`,
    );
  }
  if (v === null) throw new BadRecord(`field '${name}' (${part}) is null`);
  return v;
}

/**
 * @returns The single (non-object) value at `name`; throws {@linkcode BadRecord} otherwise.
 * @example
 * ```ts
 * import { scalarField } from "./record_fields.ts";
 * if (scalarField({ label: 2 }, "label", "label") !== 2) throw new Error();
 * ```
 */
export function scalarField(rec: Record<string, unknown>, name: string, part: string): unknown {
  const v = requireField(rec, name, part);
  if (typeof v === "object") {
    throw new BadRecord(`field '${name}' (${part}) must be a single value, got ${kindOf(v)}`);
  }
  return v;
}

/**
 * @returns The string at `name`; throws {@linkcode BadRecord} otherwise.
 * @example
 * ```ts
 * import { stringField } from "./record_fields.ts";
 * if (stringField({ chosen: "x" }, "chosen", "chosen") !== "x") throw new Error();
 * ```
 */
export function stringField(rec: Record<string, unknown>, name: string, part: string): string {
  const v = requireField(rec, name, part);
  if (typeof v !== "string") {
    throw new BadRecord(`field '${name}' (${part}) must be a string, got ${kindOf(v)}`);
  }
  return v;
}

/**
 * A response or prompt as text: strings trimmed, numbers and booleans as their text (PandaLM has a
 * few responses stored as JSON `true`), message lists rendered with role markers.
 *
 * @throws {BadRecord} For any other value.
 * @example
 * ```ts
 * import { textOf } from "./record_fields.ts";
 * if (textOf(true, "response_a", "response1") !== "true") throw new Error();
 * if (textOf([{ role: "user", content: "hi" }], "prompt", "prompt") !== "User: hi") throw new Error();
 * ```
 */
export function textOf(v: unknown, part: string, name: string): string {
  if (typeof v === "string") return v.trim();
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (isMessageList(v)) return renderMessages(v as Message[]);
  throw new BadRecord(
    `field '${name}' (${part}) must be text or a list of {role, content} messages, got ${
      kindOf(v)
    }`,
  );
}

/**
 * @returns A short description of a value for messages ("an array", "number 3").
 * @example
 * ```ts
 * import { kindOf } from "./record_fields.ts";
 * if (kindOf([1]) !== "an array" || kindOf(3) !== "number 3") throw new Error();
 * ```
 */
export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : String(v)}`;
}
