/**
 * The config type a stage's field specs describe, computed by the type checker: what
 * `defineStage` gives a stage's `operator`, so that a stage needs no hand-written config type.
 *
 * @module
 */
import type { FieldSpec, StageRef } from "./types.ts";

/**
 * The value type of one field: `string` for `string`/`path`, `number` for `integer`/`number`,
 * the literal union of `values` for `enum`, a nested config for `object`, an array of the item
 * type for `array` (`single` included: the loader wraps a single value), `StageRef[]` for
 * `stages`, `unknown` otherwise.
 */
export type FieldValue<F extends FieldSpec> = F extends { type: "string" | "path" } ? string
  : F extends { type: "integer" | "number" } ? number
  : F extends { type: "boolean" } ? boolean
  : F extends { type: "enum"; values: readonly (infer V extends string)[] } ? V
  : F extends { type: "object"; fields: infer S extends Record<string, FieldSpec> } ? ConfigOf<S>
  : F extends { type: "object" } ? Record<string, unknown>
  : F extends { type: "array"; items: infer I extends FieldSpec } ? FieldValue<I>[]
  : F extends { type: "array" } ? unknown[]
  : F extends { type: "stages" } ? StageRef[]
  : unknown;

/** True when the loader always sets the field: required, with a default, or a nested mapping. */
type Always<F> = F extends { required: true } ? true
  : F extends { default: infer D } ? (D extends undefined ? false : true)
  : F extends { type: "object"; fields: Record<string, FieldSpec> } ? true
  : false;

type _Flat<T> = { [K in keyof T]: T[K] };

/**
 * The validated config of a stage with field specs `S`: fields the loader always sets are
 * required properties, the others optional.
 *
 * @example
 * ```ts
 * import type { ConfigOf } from "./config_of.ts";
 * const fields = {
 *   min_words: { type: "integer", default: 3, description: "Fewest words." },
 *   side: { type: "enum", values: ["a", "b"], description: "Which response." },
 * } as const;
 * const cfg: ConfigOf<typeof fields> = { min_words: 4 };
 * const side: "a" | "b" | undefined = cfg.side;
 * if (cfg.min_words !== 4 || side !== undefined) throw new Error();
 * ```
 */
export type ConfigOf<S extends Record<string, FieldSpec>> = _Flat<
  & { -readonly [K in keyof S as Always<S[K]> extends true ? K : never]: FieldValue<S[K]> }
  & { -readonly [K in keyof S as Always<S[K]> extends true ? never : K]?: FieldValue<S[K]> }
>;
