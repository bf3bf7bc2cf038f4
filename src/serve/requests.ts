/**
 * The endpoints' request bodies, checked field by field. Every problem is an `HttpError` whose
 * JSON names the field (`query[3]`, `items[0].response`) and what to send.
 *
 * @module
 */
import { HttpError, type RequestLimits } from "./http_body.ts";
import { cleanPrompt, type SplitRule, splitTranscript, stripPrompt } from "./split.ts";

function _type(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

function _object(body: unknown, what: string): Record<string, unknown> {
  if (_type(body) !== "object") {
    throw new HttpError(
      400,
      "invalid_type",
      `Cannot read the request as its body is ${_type(body)}, not an object: send ${what}`,
      "body",
    );
  }
  return body as Record<string, unknown>;
}

function _list(v: unknown, field: string, limits: RequestLimits): unknown[] {
  if (!Array.isArray(v)) {
    throw new HttpError(
      400,
      v === undefined ? "missing_field" : "invalid_type",
      v === undefined
        ? `Cannot read the request as field '${field}' is missing: send a non-empty array`
        : `Cannot read field '${field}' as it is ${_type(v)}, not an array`,
      field,
    );
  }
  if (v.length === 0) {
    throw new HttpError(400, "empty_list", `Cannot score field '${field}' as it is empty`, field);
  }
  if (v.length > limits.maxItems) {
    throw new HttpError(
      413,
      "too_many_items",
      `Cannot score field '${field}' as it has ${v.length} items, more than the limit of ` +
        `${limits.maxItems}: split the request, or start the server with a larger --max-items`,
      field,
    );
  }
  return v;
}

function _text(v: unknown, field: string, limits: RequestLimits): string {
  if (typeof v !== "string") {
    throw new HttpError(
      400,
      v === undefined ? "missing_field" : "invalid_type",
      v === undefined
        ? `Cannot read the request as field '${field}' is missing: send a string`
        : `Cannot read field '${field}' as it is ${_type(v)}, not a string`,
      field,
    );
  }
  if (v.length > limits.maxTextChars) {
    throw new HttpError(
      413,
      "text_too_long",
      `Cannot score field '${field}' as it has ${v.length} characters, more than the limit of ` +
        `${limits.maxTextChars}: shorten it, or start the server with a larger --max-text-chars`,
      field,
    );
  }
  return v;
}

/** Prompts and responses to score one by one. */
export interface ItemsRequest {
  prompts: string[];
  responses: string[];
}

/**
 * `POST /get_reward` (OpenRLHF): `query` (full texts), optional `prompts` (their prefixes) and
 * `labels` (accepted, unused).
 *
 * @param body The parsed body.
 * @param limits The limits.
 * @param rule How to split texts when `prompts` is not given.
 * @returns The prompts and responses.
 * @throws {HttpError} Naming the field at fault.
 */
export function parseGetReward(
  body: unknown,
  limits: RequestLimits,
  rule: SplitRule,
): ItemsRequest {
  const o = _object(body, '{"query": ["<prompt + response>", ...]}');
  const query = _list(o.query, "query", limits).map((q, i) => _text(q, `query[${i}]`, limits));
  for (const key of ["prompts", "labels"]) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.length !== query.length) {
      throw new HttpError(
        400,
        "invalid_type",
        `Cannot read field '${key}' as it is ${
          Array.isArray(v) ? `an array of ${v.length}` : _type(v)
        }: send an array of ${query.length} (one per query), or leave it out`,
        key,
      );
    }
  }
  const prompts: string[] = [], responses: string[] = [];
  if (Array.isArray(o.prompts)) {
    o.prompts.forEach((p, i) => {
      const prompt = _text(p, `prompts[${i}]`, limits);
      const response = stripPrompt(query[i], prompt);
      if (response === null) {
        throw new HttpError(
          422,
          "prompt_mismatch",
          `Cannot split 'query[${i}]' as it does not start with 'prompts[${i}]': send the ` +
            `prompt exactly as it begins the query, or leave 'prompts' out`,
          `query[${i}]`,
        );
      }
      prompts.push(cleanPrompt(prompt)), responses.push(response);
    });
    return { prompts, responses };
  }
  query.forEach((q, i) => {
    const s = splitTranscript(q, rule);
    if (!s) {
      throw new HttpError(
        422,
        "no_assistant_turn",
        `Cannot split 'query[${i}]' as it has no assistant turn for split rule '${rule.name}': ` +
          `send 'prompts', or start the server with --split matching your chat template`,
        `query[${i}]`,
      );
    }
    prompts.push(s.prompt), responses.push(s.response);
  });
  return { prompts, responses };
}

/**
 * `POST /v1/rewards`: `items` of `{prompt, response}`.
 *
 * @returns The prompts and responses.
 * @throws {HttpError} Naming the field at fault.
 */
export function parseRewards(body: unknown, limits: RequestLimits): ItemsRequest {
  const o = _object(body, '{"items": [{"prompt": "...", "response": "..."}]}');
  const items = _list(o.items, "items", limits);
  const prompts: string[] = [], responses: string[] = [];
  items.forEach((it, i) => {
    const x = _object1(it, `items[${i}]`);
    prompts.push(_text(x.prompt, `items[${i}].prompt`, limits));
    responses.push(_text(x.response, `items[${i}].response`, limits));
  });
  return { prompts, responses };
}

/** Pairs to compare. */
export interface PairsRequest {
  prompts: string[];
  a: string[];
  b: string[];
}

/**
 * `POST /v1/compare`: `pairs` of `{prompt, response_a, response_b}`.
 *
 * @returns The prompts and both responses.
 * @throws {HttpError} Naming the field at fault.
 */
export function parseCompare(body: unknown, limits: RequestLimits): PairsRequest {
  const o = _object(
    body,
    '{"pairs": [{"prompt": "...", "response_a": "...", "response_b": "..."}]}',
  );
  const pairs = _list(o.pairs, "pairs", limits);
  const out: PairsRequest = { prompts: [], a: [], b: [] };
  pairs.forEach((it, i) => {
    const x = _object1(it, `pairs[${i}]`);
    out.prompts.push(_text(x.prompt, `pairs[${i}].prompt`, limits));
    out.a.push(_text(x.response_a, `pairs[${i}].response_a`, limits));
    out.b.push(_text(x.response_b, `pairs[${i}].response_b`, limits));
  });
  return out;
}

function _object1(v: unknown, field: string): Record<string, unknown> {
  if (_type(v) !== "object") {
    throw new HttpError(
      400,
      "invalid_type",
      `Cannot read field '${field}' as it is ${_type(v)}, not an object`,
      field,
    );
  }
  return v as Record<string, unknown>;
}
