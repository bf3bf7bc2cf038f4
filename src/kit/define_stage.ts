/**
 * `defineStage`: a stage module whose config type the type checker derives from its field
 * specs, so a stage is a spec and an operator with no hand-written config interface.
 *
 * @module
 */
import type { OperatorFunction } from "rxjs";
import type { ConfigOf } from "../contracts/config_of.ts";
import type { Batch, FieldSpec, StageContext, StageModule, StageSpec } from "../contracts/types.ts";

/** What `defineStage` takes: a spec, and an operator typed by the spec's fields. */
export interface StageDefinition<F extends Record<string, FieldSpec>> {
  spec: Omit<StageSpec, "fields"> & { fields: F };
  operator: (config: ConfigOf<F>, ctx: StageContext) => OperatorFunction<Batch, Batch>;
}

/**
 * Defines a stage: the operator's `config` is typed from `spec.fields` (`integer` fields are
 * numbers, `enum` fields the union of their values, fields with a default or `required` always
 * present, the others optional), so a misspelt or mistyped field is a type error.
 *
 * @param def The spec and the operator.
 * @returns The stage module (export its `spec` and `operator`, or pass it as `use:`).
 * @example
 * ```ts
 * import { defineStage, filterRows, testStage } from "../../mod.ts";
 * const stage = defineStage({
 *   spec: {
 *     name: "min_length",
 *     summary: "Keeps pairs whose responses both have at least `chars` characters.",
 *     fields: { chars: { type: "integer", default: 3, min: 0, description: "Fewest characters." } },
 *     examples: [{ title: "At least 5", yaml: "use: min_length\nwith: { chars: 5 }" }],
 *   },
 *   operator: (cfg) =>
 *     filterRows((r) => r.response_a.length >= cfg.chars && r.response_b.length >= cfg.chars),
 * });
 * const out = await testStage(stage, [
 *   { pair_id: "x", prompt: "q", response_a: "long one", response_b: "also long" },
 *   { pair_id: "y", prompt: "q", response_a: "no", response_b: "long enough" },
 * ], { chars: 3 });
 * if (out.map((r) => r.pair_id).join() !== "x") throw new Error();
 * ```
 */
export function defineStage<const F extends Record<string, FieldSpec>>(
  def: StageDefinition<F>,
): StageModule<ConfigOf<F>> & { spec: StageSpec & { fields: F } } {
  return { spec: def.spec, operator: def.operator };
}
