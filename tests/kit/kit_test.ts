import assert from "node:assert/strict";
import { lastValueFrom, of, type OperatorFunction } from "rxjs";
import {
  type Batch,
  batchOf,
  type ConfigOf,
  defineStage,
  filterRows,
  mapRows,
  rowsOf,
  testStage,
  withColumn,
} from "../../mod.ts";
import * as dropShort from "../../pipelines/examples/stages/drop_short.ts";

const FIELDS = {
  n: { type: "integer", default: 2, description: "n" },
  mode: { type: "enum", values: ["keep", "drop"], required: true, description: "mode" },
  note: { type: "string", description: "optional" },
  inner: {
    type: "object",
    description: "nested",
    fields: { on: { type: "boolean", default: true, description: "on" } },
  },
  tags: { type: "array", items: { type: "string", description: "t" }, description: "tags" },
} as const;

Deno.test("ConfigOf<> types each field from its spec (checked by deno check)", () => {
  type C = ConfigOf<typeof FIELDS>;
  const c: C = { n: 1, mode: "keep", inner: { on: false } };
  const n: number = c.n;
  const mode: "keep" | "drop" = c.mode;
  const note: string | undefined = c.note;
  const on: boolean = c.inner.on;
  const tags: string[] | undefined = c.tags;
  // @ts-expect-error: 'mode' is one of the enum's values
  const bad: C = { n: 1, mode: "maybe", inner: { on: true } };
  // @ts-expect-error: a required field (and a defaulted one) cannot be left out
  const missing: C = { n: 1, inner: { on: true } };
  assert.deepEqual([n, mode, note, on, tags, bad.n, missing.n], [
    1,
    "keep",
    undefined,
    false,
    undefined,
    1,
    1,
  ]);
});

Deno.test("defineStage() gives the operator the config typed by the spec", async () => {
  const stage = defineStage({
    spec: { name: "t", summary: "t", fields: FIELDS, examples: [] },
    operator: (cfg) => {
      // @ts-expect-error: a misspelt field is a type error
      void cfg.nn;
      return filterRows((r) => (cfg.mode === "keep") === (r.response_a.length >= cfg.n));
    },
  });
  const rows = [{ pair_id: "a", response_a: "xyz" }, { pair_id: "b", response_a: "x" }];
  assert.deepEqual((await testStage(stage, rows, { mode: "keep" })).map((r) => r.pair_id), ["a"]);
  assert.deepEqual((await testStage(stage, rows, { mode: "drop" })).map((r) => r.pair_id), ["b"]);
  await assert.rejects(
    () => testStage(stage, rows, { mode: "sometimes", n: 1.5 }),
    new TypeError(
      "Cannot test stage 't' as its config is invalid: field 'n' must be an integer: current " +
        "value is 1.5; field 'mode' must be one of keep, drop: current value is \"sometimes\"",
    ),
  );
});

Deno.test("the row helpers filter, map and add columns, keeping column types", async () => {
  const b = batchOf([
    { pair_id: "a", label: 1, response_a: "one two", response_b: "x", margin: 0.25 },
    { pair_id: "b", label: -1, response_a: "x", response_b: "three four", margin: 0.75 },
  ]);
  assert.equal(String(b.schema.fields.find((f) => f.name === "label")!.type), "Int8");
  const run = async (op: OperatorFunction<Batch, Batch>) =>
    rowsOf(await lastValueFrom(of(b).pipe(op)));
  assert.deepEqual((await run(filterRows((r) => r.margin > 0.5))).map((r) => r.pair_id), ["b"]);
  const flipped = await lastValueFrom(of(b).pipe(mapRows((r) => ({ ...r, label: -r.label! }))));
  assert.deepEqual(rowsOf(flipped).map((r) => r.label), [-1, 1]);
  assert.equal(String(flipped.schema.fields.find((f) => f.name === "label")!.type), "Int8");
  const added = await run(withColumn("longer_a", (r) => r.response_a.length > r.response_b.length));
  assert.deepEqual(added.map((r) => r.longer_a), [true, false]);
  const same = await lastValueFrom(of(b).pipe(filterRows(() => true)));
  assert.equal(same, b, "a batch that keeps every row passes through as is");
});

Deno.test("drop_short (written with the kit) keeps pairs whose answers both have min_words words", async () => {
  const row = (id: string, a: string, r: string) => ({ pair_id: id, response_a: a, response_b: r });
  const out = await testStage(dropShort, [
    row("x", "one two three", "a b c d"),
    row("y", "one two", "a b c d"),
    row("z", "a b c", "x y z"),
  ], { min_words: 3 });
  assert.deepEqual(out.map((r) => r.pair_id), ["x", "z"]);
  // @ts-expect-error: the config is typed: min_words is a number
  const wrong: Parameters<typeof dropShort.operator>[0] = { min_words: "3" };
  assert.equal(typeof wrong.min_words, "string");
});
