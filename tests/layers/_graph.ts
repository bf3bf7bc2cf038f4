// Reads the import graph of src/: every static, re-export, side-effect and literal dynamic
// import, with comments (and the examples inside them) left out.
import { dirname, join, relative, resolve } from "node:path";

/** One import of one file. */
export interface ImportEdge {
  /** The importing file, relative to the repository root. */
  from: string;
  /** The imported file, relative to the repository root (relative specifiers only). */
  to: string;
  /** 1-based line of the specifier. */
  line: number;
}

/**
 * The layers, lowest first. A file may import its own folder and any folder of a lower layer;
 * folders of one layer are peers and may not import each other.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["contracts"],
  ["util"],
  ["data"],
  ["model", "pool", "encoder"],
  ["gpu"],
  ["compute"],
  ["report"],
  ["ser"],
  ["pipeline"],
  ["kit"],
  ["stages"],
  ["serve"],
  ["cli"],
];

/** @returns The layer index of `src/<folder>/...`, or -1 when the folder has none. */
export function layerOf(path: string): number {
  const folder = path.split("/")[1];
  return LAYERS.findIndex((l) => l.includes(folder));
}

/**
 * @returns `text` with comments blanked out, and the inside of every string that is not an
 * import specifier (line breaks kept, so lines still count).
 */
export function stripComments(text: string): string {
  return text.replace(
    /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (m: string, str: string | undefined, at: number) => {
      const blank = (s: string) => s.replace(/[^\n]/g, " ");
      if (str === undefined) return blank(m);
      const before = text.slice(Math.max(0, at - 24), at);
      if (/(?:\bfrom|\bimport)\s*\(?\s*$/.test(before) && !str.startsWith("`")) return str;
      return str[0] + blank(str.slice(1, -1)) + str.at(-1);
    },
  );
}

/** @returns The relative import specifiers of a source text, with their lines. */
export function importSpecifiers(text: string): { spec: string; line: number }[] {
  const code = stripComments(text);
  const out: { spec: string; line: number }[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^;"'`]*?\bfrom\s*(["'])([^"']+)\1/g,
    /\bimport\s*(["'])([^"']+)\1/g,
    /\bimport\s*\(\s*(["'])([^"']+)\1\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) {
      const at = m.index! + m[0].lastIndexOf(m[2]);
      out.push({ spec: m[2], line: code.slice(0, at).split("\n").length });
    }
  }
  return out;
}

/** @returns Every relative import of every `.ts` file under `root/src`. */
export async function srcImports(root: string): Promise<ImportEdge[]> {
  const edges: ImportEdge[] = [];
  for (const file of await _walk(join(root, "src"))) {
    const from = relative(root, file);
    for (const { spec, line } of importSpecifiers(await Deno.readTextFile(file))) {
      if (!spec.startsWith(".")) continue;
      edges.push({ from, to: relative(root, resolve(dirname(file), spec)), line });
    }
  }
  return edges;
}

/** @returns The edges that go up a layer (or sideways between peers), as readable lines. */
export function layerViolations(edges: ImportEdge[]): string[] {
  const bad: string[] = [];
  for (const e of edges) {
    const a = e.from.split("/")[1], b = e.to.split("/")[1];
    if (!e.to.startsWith("src/") || a === b) continue;
    const la = layerOf(e.from), lb = layerOf(e.to);
    if (la < 0 || lb < 0 || lb >= la) {
      bad.push(`${e.from}:${e.line} imports ${e.to} (${a} -> ${b})`);
    }
  }
  return bad;
}

async function _walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await _walk(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}
