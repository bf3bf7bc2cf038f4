/**
 * The reader's presets: how a record of each well-known layout becomes a prompt, two responses
 * and a verdict, and the `fields` mapping that adapts a preset to other column names.
 *
 * @module
 */
import { firstHumanTurn, splitTranscripts } from "./hh_transcript.ts";
import {
  firstUserTurn,
  isMessageList,
  renderMessages,
  splitConversations,
} from "./conversation.ts";
import {
  decodeLabel,
  describeLabelValues,
  type LabelValues,
  majorityVote,
  type Verdict,
} from "./label_values.ts";
import {
  BadRecord,
  kindOf,
  lookupField,
  requireField,
  scalarField,
  stringField,
  textOf,
} from "./record_fields.ts";

/** The record layouts the reader knows. */
export const PRESETS = [
  "hh-rlhf",
  "prompt-chosen-rejected",
  "pairwise-label",
  "multi-annotator",
] as const;
/** One of {@linkcode PRESETS}. */
export type Preset = typeof PRESETS[number];

/** Column names (dotted paths reach into nested objects) for each part of a pair. */
export interface FieldMap {
  prompt?: string;
  /** Appended to the prompt after a blank line when present and non-empty (e.g. PandaLM's `input`). */
  input?: string;
  chosen?: string;
  rejected?: string;
  response_a?: string;
  response_b?: string;
  label?: string;
  annotators?: string[];
  /** A column holding the prompt group key (default: first human turn, else the prompt). */
  group?: string;
}

/** Each preset's default columns; `fields` in the stage config overrides them one by one. */
export const PRESET_FIELDS: Record<Preset, FieldMap> = {
  "hh-rlhf": { chosen: "chosen", rejected: "rejected" },
  "prompt-chosen-rejected": { prompt: "prompt", chosen: "chosen", rejected: "rejected" },
  "pairwise-label": {
    prompt: "prompt",
    response_a: "response_a",
    response_b: "response_b",
    label: "label",
  },
  "multi-annotator": {
    prompt: "instruction",
    input: "input",
    response_a: "response1",
    response_b: "response2",
    annotators: ["annotator1", "annotator2", "annotator3"],
  },
};

const USED: Record<Preset, readonly (keyof FieldMap)[]> = {
  "hh-rlhf": ["chosen", "rejected", "group"],
  "prompt-chosen-rejected": ["prompt", "input", "chosen", "rejected", "group"],
  "pairwise-label": ["prompt", "input", "response_a", "response_b", "label", "group"],
  "multi-annotator": ["prompt", "input", "response_a", "response_b", "annotators", "group"],
};

/** What a record says: a prompt, two responses in the data's order, and the verdict. */
export interface RecordPair {
  prompt: string;
  /** The first response: the chosen one, or response a. */
  first: string;
  second: string;
  /** "a": `first` is preferred; "b": `second` is; "tie": neither. */
  verdict: Verdict;
  groupKey: string;
}

/**
 * Merges the `fields` overrides into a preset's columns.
 *
 * @param preset The layout.
 * @param overrides Column names set in the pipeline (unset ones keep the preset's).
 * @returns The columns to read.
 * @throws {TypeError} When an override names a part the preset does not use.
 * @example
 * ```ts
 * import { resolveFields } from "./presets.ts";
 * if (resolveFields("hh-rlhf", { chosen: "good" }).chosen !== "good") throw new Error();
 * ```
 */
export function resolveFields(preset: Preset, overrides: FieldMap = {}): FieldMap {
  const out: FieldMap = { ...PRESET_FIELDS[preset] };
  for (const [k, v] of Object.entries(overrides) as [keyof FieldMap, string & string[]][]) {
    if (v === undefined || v === null) continue;
    if (!USED[preset].includes(k)) {
      throw new TypeError(
        `Cannot map fields.${k} as format '${preset}' does not use it: ` +
          `it reads ${USED[preset].join(", ")}; remove fields.${k} or pick another format`,
      );
    }
    out[k] = v;
  }
  return out;
}

/**
 * Reads one record with a preset.
 *
 * @param value The parsed record.
 * @param preset The layout.
 * @param fields The columns (from {@linkcode resolveFields}).
 * @param labels The label values (pairwise-label and multi-annotator).
 * @returns The pair, or a string saying why the record is malformed.
 * @example
 * ```ts
 * import { extractPair, resolveFields } from "./presets.ts";
 * import { DEFAULT_LABEL_VALUES } from "./label_values.ts";
 * const p = extractPair({ prompt: "q", response_a: "x", response_b: "y", label: "b" },
 *   "pairwise-label", resolveFields("pairwise-label"), DEFAULT_LABEL_VALUES);
 * if (typeof p === "string" || p.verdict !== "b") throw new Error();
 * ```
 */
export function extractPair(
  value: unknown,
  preset: Preset,
  fields: FieldMap,
  labels: LabelValues,
): RecordPair | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return `expected a JSON object per record, got ${kindOf(value)}`;
  }
  const rec = value as Record<string, unknown>;
  try {
    const pair = preset === "hh-rlhf"
      ? _hh(rec, fields)
      : preset === "prompt-chosen-rejected"
      ? _chosenRejected(rec, fields)
      : _labelled(rec, preset, fields, labels);
    if (fields.group) pair.groupKey = String(scalarField(rec, fields.group, "group"));
    return pair;
  } catch (err) {
    if (err instanceof BadRecord) return err.message;
    throw err;
  }
}

function _hh(rec: Record<string, unknown>, f: FieldMap): RecordPair {
  const chosen = stringField(rec, f.chosen!, "chosen");
  const rejected = stringField(rec, f.rejected!, "rejected");
  const s = splitTranscripts(chosen, rejected);
  if (typeof s === "string") throw new BadRecord(s);
  return {
    prompt: s.prompt,
    first: s.chosen,
    second: s.rejected,
    verdict: "a",
    groupKey: firstHumanTurn(s.prompt),
  };
}

function _chosenRejected(rec: Record<string, unknown>, f: FieldMap): RecordPair {
  const chosen = requireField(rec, f.chosen!, "chosen");
  const rejected = requireField(rec, f.rejected!, "rejected");
  const promptValue = lookupField(rec, f.prompt!);
  if (promptValue === undefined && isMessageList(chosen) && isMessageList(rejected)) {
    // TRL's implicit-prompt conversational form: the prompt is the shared message prefix.
    const s = splitConversations(chosen, rejected);
    if (s.prompt.length === 0) throw new BadRecord("the conversations share no prompt messages");
    return _withInput(rec, f, {
      prompt: renderMessages(s.prompt),
      first: renderMessages(s.chosen),
      second: renderMessages(s.rejected),
      verdict: "a",
      groupKey: firstUserTurn(s.prompt),
    });
  }
  const prompt = requireField(rec, f.prompt!, "prompt");
  return _withInput(rec, f, {
    prompt: textOf(prompt, "prompt", f.prompt!),
    first: textOf(chosen, "chosen", f.chosen!),
    second: textOf(rejected, "rejected", f.rejected!),
    verdict: "a",
    groupKey: isMessageList(prompt) ? firstUserTurn(prompt) : "",
  });
}

function _labelled(
  rec: Record<string, unknown>,
  preset: Preset,
  f: FieldMap,
  labels: LabelValues,
): RecordPair {
  const prompt = requireField(rec, f.prompt!, "prompt");
  let verdict: Verdict;
  if (preset === "pairwise-label") {
    verdict = _verdict(scalarField(rec, f.label!, "label"), f.label!, labels);
  } else {
    const cols = f.annotators ?? [];
    if (cols.length === 0) throw new BadRecord("no annotator columns: set fields.annotators");
    verdict = majorityVote(cols.map((c) => _verdict(scalarField(rec, c, "annotators"), c, labels)));
  }
  return _withInput(rec, f, {
    prompt: textOf(prompt, "prompt", f.prompt!),
    first: textOf(requireField(rec, f.response_a!, "response_a"), "response_a", f.response_a!),
    second: textOf(requireField(rec, f.response_b!, "response_b"), "response_b", f.response_b!),
    verdict,
    groupKey: isMessageList(prompt) ? firstUserTurn(prompt) : "",
  });
}

function _withInput(rec: Record<string, unknown>, f: FieldMap, p: RecordPair): RecordPair {
  const input = f.input ? lookupField(rec, f.input) : undefined;
  if (input !== undefined && input !== null) {
    if (typeof input !== "string") {
      throw new BadRecord(`field '${f.input}' (input) must be a string, got ${kindOf(input)}`);
    }
    if (input.trim() !== "") p.prompt = `${p.prompt}\n\n${input}`;
  }
  if (p.groupKey === "") p.groupKey = p.prompt;
  return p;
}

function _verdict(v: unknown, col: string, labels: LabelValues): Verdict {
  const d = decodeLabel(v, labels);
  if (d === null) {
    throw new BadRecord(
      `field '${col}' has label value ${JSON.stringify(v)}, which is none of ` +
        `${describeLabelValues(labels)}; set label_values to name it`,
    );
  }
  return d;
}
