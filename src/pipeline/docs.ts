/**
 * Stage documentation generated from the specs (`deno task stages NAME`, `docs/stages.md`).
 *
 * @module
 */
import type { FieldSpec, StageSpec } from "../contracts/types.ts";
import { describeType } from "./fields.ts";

function rows(fields: Record<string, FieldSpec>, prefix = ""): string[] {
  const out: string[] = [];
  for (const [k, f] of Object.entries(fields)) {
    const name = prefix + k;
    const d = f.default === undefined
      ? (f.required ? "**required**" : "")
      : `\`${JSON.stringify(f.default)}\``;
    const range = [
      f.min !== undefined ? `>= ${f.min}` : "",
      f.exclusiveMin !== undefined ? `> ${f.exclusiveMin}` : "",
      f.max !== undefined ? `<= ${f.max}` : "",
    ].filter(Boolean).join(", ");
    const type = describeType(f) + (range ? ` (${range})` : "");
    if (f.type === "object" && f.fields) out.push(...rows(f.fields, name + "."));
    else out.push(`| \`${name}\` | ${type} | ${d} | ${f.description.replaceAll("|", "\\|")} |`);
  }
  return out;
}

/**
 * @param spec A stage spec.
 * @returns Its Markdown documentation.
 */
export function stageDoc(spec: StageSpec): string {
  const fields = rows(spec.fields);
  return [
    `## \`${spec.name}\``,
    "",
    spec.summary,
    ...(spec.description ? ["", spec.description] : []),
    "",
    ...(fields.length
      ? ["| field | type | default | description |", "|---|---|---|---|", ...fields]
      : ["No fields."]),
    ...spec.examples.flatMap((e) => ["", `**${e.title}**`, "", "```yaml", e.yaml, "```"]),
  ].join("\n");
}
