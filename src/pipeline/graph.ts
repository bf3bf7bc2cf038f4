/**
 * The stage graph: input checks, cycle detection, topological order, and rendering as a text
 * tree or Graphviz dot.
 *
 * @module
 */
import type { StageRef } from "../contracts/types.ts";
import type { DocPath } from "./fields.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/** The part of a stage the graph needs. */
export interface GraphNode {
  id: string;
  use: string;
  inputs: string[];
  module: { spec: { summary: string; kind?: string; inputs?: { min: number; max: number } } };
  /** The validated config: its `stages` fields (e.g. `ser`'s hooks) are shown under the stage. */
  config?: Record<string, unknown>;
}

/**
 * Reports missing inputs, wrong input counts and cycles.
 *
 * @param stages The resolved stages.
 * @param raw The raw stage list (for positions).
 * @param report Collects problems.
 */
export function checkGraph(
  stages: GraphNode[],
  // deno-lint-ignore no-explicit-any
  raw: any[],
  report: (m: string, p: DocPath, key: boolean, id: string) => void,
): void {
  // Ids of every stage in the file, also those whose `use` did not resolve (reported already).
  const ids = new Set([
    ...stages.map((s) => s.id),
    ...raw.map((r) => r?.id).filter((x) => typeof x === "string"),
  ]);
  const at = (id: string) => raw.findIndex((r) => r?.id === id);
  for (const s of stages) {
    const i = at(s.id);
    s.inputs.forEach((inp, k) => {
      if (!ids.has(inp)) {
        report(
          `input '${inp}' names no stage${didYouMean(inp, ids)}`,
          ["stages", i, "inputs", k],
          false,
          s.id,
        );
      }
      if (inp === s.id) {
        report("a stage cannot read its own output", ["stages", i, "inputs", k], false, s.id);
      }
    });
    const isSource = s.module.spec.kind === "source";
    const { min, max } = s.module.spec.inputs ??
      (isSource ? { min: 0, max: 0 } : { min: 1, max: 1 });
    const n = s.inputs.length;
    if (n < min || n > max) {
      const want = min === max
        ? `${min}`
        : max === Infinity
        ? `at least ${min}`
        : `${min} to ${max}`;
      const hint = n === 0
        ? " (it is the first stage: put a source stage before it or set 'inputs')"
        : "";
      report(
        `takes ${want} input${want === "1" ? "" : "s"}, got ${n}${hint}`,
        ["stages", i, raw[i]?.inputs ? "inputs" : "use"],
        false,
        s.id,
      );
    }
  }
  const cycle = findCycle(
    stages.map((s) => ({ ...s, inputs: s.inputs.filter((i) => i !== s.id) })),
  );
  if (cycle) {
    report(
      `the stages form a cycle: ${cycle.join(" -> ")}`,
      ["stages", at(cycle[0]), "inputs"],
      false,
      cycle[0],
    );
  }
}

/** @returns The ids of one cycle (first id repeated at the end), or undefined if the graph is a DAG. */
export function findCycle(stages: GraphNode[]): string[] | undefined {
  const byId = new Map(stages.map((s) => [s.id, s]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 2) return undefined;
    if (state.get(id) === 1) return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 1);
    stack.push(id);
    for (const inp of byId.get(id)?.inputs ?? []) {
      if (!byId.has(inp)) continue;
      const c = visit(inp);
      if (c) return c;
    }
    stack.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const s of stages) {
    const c = visit(s.id);
    if (c) return c.reverse();
  }
  return undefined;
}

/** @returns The stages in an order where every stage comes after its inputs (file order among equals). */
export function topoOrder<T extends GraphNode>(stages: T[]): T[] {
  const done = new Set<string>();
  const out: T[] = [];
  while (out.length < stages.length) {
    const next = stages.find((s) => !done.has(s.id) && s.inputs.every((i) => done.has(i)));
    if (!next) throw new Error("Cannot order stages as they form a cycle");
    done.add(next.id);
    out.push(next);
  }
  return out;
}

/**
 * Renders the graph as an indented tree from the sources down (a stage with several inputs is
 * shown under each, marked as a join).
 */
export function renderTree(stages: GraphNode[], name: string): string {
  const lines = [`${name}`];
  const children = (id: string) => stages.filter((s) => s.inputs.includes(id));
  const walk = (s: GraphNode, prefix: string, last: boolean, seen: Set<string>) => {
    const join = s.inputs.length > 1 ? `  [joins ${s.inputs.join(", ")}]` : "";
    const again = seen.has(s.id) ? "  (shown above)" : "";
    lines.push(
      `${prefix}${last ? "└─ " : "├─ "}${s.id} (${s.use})${join}${again}  ${
        again ? "" : s.module.spec.summary
      }`.trimEnd(),
    );
    if (again) return;
    seen.add(s.id);
    const kids = children(s.id);
    const pad = prefix + (last ? "   " : "│  ") + (kids.length ? "│  " : "   ");
    for (const [field, refs] of _stageLists(s.config)) {
      lines.push(`${pad}${field}: ${refs.map((r) => `${r.id} (${r.use})`).join(" → ")}`);
    }
    kids.forEach((k, i) => walk(k, prefix + (last ? "   " : "│  "), i === kids.length - 1, seen));
  };
  const roots = stages.filter((s) => s.inputs.length === 0);
  const seen = new Set<string>();
  roots.forEach((r, i) => walk(r, "", i === roots.length - 1, seen));
  return lines.join("\n");
}

function _stageLists(config?: Record<string, unknown>): [string, StageRef[]][] {
  return Object.entries(config ?? {}).filter(([, v]) =>
    Array.isArray(v) && v.length > 0 &&
    v.every((r) => typeof r === "object" && r !== null && "module" in r && "id" in r)
  ) as [string, StageRef[]][];
}

/** Renders the graph in Graphviz dot. */
export function renderDot(stages: GraphNode[], name: string): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    `digraph ${q(name)} {`,
    "  rankdir=LR;",
    '  node [shape=box, fontname="Helvetica"];',
  ];
  for (const s of stages) lines.push(`  ${q(s.id)} [label=${q(`${s.id}\n${s.use}`)}];`);
  for (const s of stages) for (const i of s.inputs) lines.push(`  ${q(i)} -> ${q(s.id)};`);
  lines.push("}");
  return lines.join("\n");
}
