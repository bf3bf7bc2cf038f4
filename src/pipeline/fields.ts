/**
 * Validates a stage's `with:` block against its field specs and fills in defaults.
 *
 * @module
 */
import type { FieldSpec } from "../contracts/types.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/** A path into the pipeline document, e.g. `["stages", 2, "with", "select", "tau_high"]`. */
export type DocPath = (string | number)[];

/** Reports a problem at a document path (`key: true` points at the key rather than the value). */
export type Report = (message: string, path: DocPath, key?: boolean) => void;

/** @returns A short description of a field's type for messages ("an integer", "one of a, b"). */
export function describeType(f: FieldSpec): string {
  switch (f.type) {
    case "integer":
      return "an integer";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${(f.values ?? []).join(", ")}`;
    case "object":
      return "a mapping";
    case "array":
      return f.single
        ? `${describeType(f.items ?? { type: "any", description: "" })} or a list`
        : "a list";
    case "path":
      return "a path";
    case "stages":
      return "a list of stages ({ use, with })";
    case "string":
      return "a string";
    default:
      return "a value";
  }
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

/** @returns The value with defaults filled in, built from nested field defaults for objects. */
export function defaultOf(f: FieldSpec): unknown {
  if (f.default !== undefined) return structuredClone(f.default);
  if (f.type === "object" && f.fields) {
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(f.fields)) {
      const d = defaultOf(sub);
      if (d !== undefined) out[k] = d;
    }
    return out;
  }
  return undefined;
}

/**
 * Checks `value` against `fields` (the keys of a mapping), reporting every problem.
 *
 * @param value The raw mapping (from YAML/JSON).
 * @param fields The field specs.
 * @param path Where `value` sits in the document (for positions).
 * @param report Collects problems.
 * @param label The dotted name of the mapping in messages ("" for a stage's `with`).
 * @returns The mapping with defaults filled in.
 */
export function checkFields(
  value: unknown,
  fields: Record<string, FieldSpec>,
  path: DocPath,
  report: Report,
  label = "",
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value === undefined || value === null) value = {};
  if (typeof value !== "object" || Array.isArray(value)) {
    report(
      `${label ? `field '${label}'` : "'with'"} must be a mapping: current value is ${show(value)}`,
      path,
    );
    return out;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(key in fields)) {
      const names = Object.keys(fields);
      const where = label ? ` in '${label}'` : "";
      const hint = didYouMean(key, names) ||
        (names.length ? `; fields are: ${names.join(", ")}` : "; this stage takes no fields");
      report(`unknown field '${key}'${where}${hint}`, [...path, key], true);
    }
  }
  for (const [key, spec] of Object.entries(fields)) {
    const name = label ? `${label}.${key}` : key;
    if (obj[key] === undefined || obj[key] === null) {
      if (spec.required) {
        report(`missing required field '${name}' (${spec.description})`, path);
        continue;
      }
      const d = defaultOf(spec);
      if (d !== undefined) out[key] = d;
      continue;
    }
    out[key] = checkValue(obj[key], spec, [...path, key], report, name);
  }
  return out;
}

/** Checks one value against its spec; returns the value (with nested defaults filled in). */
export function checkValue(
  v: unknown,
  spec: FieldSpec,
  path: DocPath,
  report: Report,
  name: string,
): unknown {
  const bad = () => {
    report(`field '${name}' must be ${describeType(spec)}: current value is ${show(v)}`, path);
    return v;
  };
  switch (spec.type) {
    case "string":
    case "path":
      return typeof v === "string" ? v : bad();
    case "boolean":
      return typeof v === "boolean" ? v : bad();
    case "enum": {
      if (typeof v === "string" && spec.values?.includes(v)) return v;
      const hint = typeof v === "string" ? didYouMean(v, spec.values ?? []) : "";
      report(
        `field '${name}' must be ${describeType(spec)}: current value is ${show(v)}${hint}`,
        path,
      );
      return v;
    }
    case "integer":
    case "number": {
      if (typeof v !== "number" || !Number.isFinite(v)) return bad();
      if (spec.type === "integer" && !Number.isInteger(v)) return bad();
      checkRange(v, spec, path, report, name);
      return v;
    }
    case "object":
      if (!spec.fields) {
        return typeof v === "object" && !Array.isArray(v) ? v : bad();
      }
      return checkFields(v, spec.fields, path, report, name);
    case "array": {
      const items = spec.items ?? { type: "any", description: "" };
      if (!Array.isArray(v)) {
        if (spec.single) return [checkValue(v, items, path, report, name)];
        return bad();
      }
      return v.map((x, i) => checkValue(x, items, [...path, i], report, `${name}[${i}]`));
    }
    case "stages":
      // Shape only: the loader resolves and validates each stage (`stage_refs.ts`).
      if (!Array.isArray(v)) return bad();
      v.forEach((x, i) => {
        if (typeof x !== "object" || x === null || Array.isArray(x)) {
          report(
            `field '${name}[${i}]' must be a stage mapping with 'use' (and 'with', 'id'): ` +
              `current value is ${show(x)}`,
            [...path, i],
          );
        }
      });
      return v;
    default:
      return v;
  }
}

function checkRange(v: number, spec: FieldSpec, path: DocPath, report: Report, name: string): void {
  if (spec.min !== undefined && v < spec.min) {
    report(`field '${name}' must be >= ${spec.min}: current value is ${v}`, path);
  } else if (spec.max !== undefined && v > spec.max) {
    report(`field '${name}' must be <= ${spec.max}: current value is ${v}`, path);
  } else if (spec.exclusiveMin !== undefined && v <= spec.exclusiveMin) {
    report(`field '${name}' must be > ${spec.exclusiveMin}: current value is ${v}`, path);
  }
}

/**
 * Finds the spec of a nested field by path, e.g. `["select", "tau_high"]`.
 *
 * @returns The field spec, or an error message naming the first unknown segment.
 */
export function fieldAt(
  fields: Record<string, FieldSpec>,
  keys: string[],
): FieldSpec | string {
  let cur: Record<string, FieldSpec> | undefined = fields;
  let spec: FieldSpec | undefined;
  for (let i = 0; i < keys.length; i++) {
    if (!cur || !(keys[i] in cur)) {
      const where = i ? ` in '${keys.slice(0, i).join(".")}'` : "";
      return `unknown field '${keys[i]}'${where}${didYouMean(keys[i], Object.keys(cur ?? {}))}`;
    }
    spec = cur[keys[i]];
    cur = spec.type === "object" ? spec.fields : undefined;
    if (!cur && i < keys.length - 1 && spec.type === "object") return spec; // free-form mapping
  }
  return spec!;
}
