/**
 * One exported row, shaped for the trainer that reads it: TRL's explicit-prompt layout
 * (`prompt`, `chosen`, `rejected`) or OpenRLHF's default keys (`chosen`, `rejected`: full texts),
 * as text or as chat messages, with `margin` only when asked and serflow's provenance under one
 * `serflow` object.
 *
 * @module
 */
import type { Message } from "../data/conversation.ts";
import { promptMessages, responseMessages, responseText } from "./export_text.ts";

/** Which trainer's keys: `trl` (prompt + continuations) or `openrlhf` (full texts, no prompt). */
export type ExportLayout = "trl" | "openrlhf";

/** A labelled pair as the export query reads it. */
export interface LabelledPair {
  pairId: string;
  prompt: string;
  /** The preferred response. */
  chosen: string;
  rejected: string;
  origin: "human" | "self";
  iteration: number;
  rule: string;
  /** The labelling model's reward margin `|r_a - r_b|` of a self-label; null for a human label. */
  selfMargin: number | null;
}

/** serflow's record of where a row's label came from. */
export interface Provenance {
  pair_id: string;
  origin: "human" | "self";
  iteration: number;
  rule: string;
  /** The self-label's reward margin; 0 for a human label. */
  self_margin: number;
}

/** How to shape rows. */
export interface ShapeOptions {
  layout: ExportLayout;
  /** Chat messages instead of text. */
  conversational: boolean;
  /** The `margin` column: from the self-label confidence (`human` for human labels), or none. */
  margin: { human: number } | null;
}

/** An exported row: text or messages in the trainer's keys, then `margin`, then `serflow`. */
export type ExportRow = Record<string, string | Message[] | number | Provenance>;

/**
 * Shapes one labelled pair. In the TRL layout `prompt + chosen` is the full text (TRL joins
 * them as they are), so text `chosen`/`rejected` start with their separator (`" "` after an
 * HH `"Assistant:"`); in the OpenRLHF layout they are the full texts.
 *
 * @param p The pair and its label.
 * @param opts Layout, text or messages, margin.
 * @returns The row (keys in output order).
 * @example
 * ```ts
 * import { shapeRow } from "./export_rows.ts";
 * const p = {
 *   pairId: "p1", prompt: "\n\nHuman: hi\n\nAssistant:", chosen: "hello", rejected: "go",
 *   origin: "self" as const, iteration: 1, rule: "status1", selfMargin: 0.5,
 * };
 * const r = shapeRow(p, { layout: "openrlhf", conversational: false, margin: { human: 0 } });
 * if (r.chosen !== "\n\nHuman: hi\n\nAssistant: hello" || r.margin !== 0.5) throw new Error();
 * ```
 */
export function shapeRow(p: LabelledPair, opts: ShapeOptions): ExportRow {
  const row: ExportRow = {};
  if (opts.conversational) {
    const prompt = promptMessages(p.prompt);
    const chosen = responseMessages(p.prompt, p.chosen);
    const rejected = responseMessages(p.prompt, p.rejected);
    if (opts.layout === "trl") {
      Object.assign(row, { prompt, chosen, rejected });
    } else {
      Object.assign(row, { chosen: [...prompt, ...chosen], rejected: [...prompt, ...rejected] });
    }
  } else {
    const chosen = responseText(p.prompt, p.chosen);
    const rejected = responseText(p.prompt, p.rejected);
    if (opts.layout === "trl") {
      Object.assign(row, { prompt: p.prompt, chosen, rejected });
    } else {
      Object.assign(row, { chosen: p.prompt + chosen, rejected: p.prompt + rejected });
    }
  }
  if (opts.margin) row.margin = p.origin === "human" ? opts.margin.human : p.selfMargin ?? 0;
  row.serflow = {
    pair_id: p.pairId,
    origin: p.origin,
    iteration: p.iteration,
    rule: p.rule,
    self_margin: p.selfMargin ?? 0,
  };
  return row;
}

/**
 * DuckDB column types of the shaped rows, for reading them back into Parquet.
 *
 * @param opts The options the rows were shaped with.
 * @returns Column name to DuckDB type, in output order.
 * @example
 * ```ts
 * import { rowColumnTypes } from "./export_rows.ts";
 * const t = rowColumnTypes({ layout: "trl", conversational: false, margin: null });
 * if (Object.keys(t).join() !== "prompt,chosen,rejected,serflow") throw new Error();
 * ```
 */
export function rowColumnTypes(opts: ShapeOptions): Record<string, string> {
  const text = opts.conversational ? "STRUCT(role VARCHAR, content VARCHAR)[]" : "VARCHAR";
  const cols: Record<string, string> = opts.layout === "trl"
    ? { prompt: text, chosen: text, rejected: text }
    : { chosen: text, rejected: text };
  if (opts.margin) cols.margin = "DOUBLE";
  cols.serflow =
    "STRUCT(pair_id VARCHAR, origin VARCHAR, iteration INTEGER, rule VARCHAR, self_margin DOUBLE)";
  return cols;
}
