/**
 * A parsed pipeline file that remembers where every value came from (line and column), so
 * validation can point at the exact spot. YAML and JSON go through the same parser.
 *
 * @module
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node } from "yaml";
import type { Problem, SourcePosition } from "./errors.ts";
import type { DocPath } from "./fields.ts";

/** A pipeline document: its plain value and a way to find positions by path. */
export class PipelineDocument {
  readonly file: string;
  readonly value: unknown;
  readonly problems: Problem[];
  #doc: ReturnType<typeof parseDocument>;
  #lines: LineCounter;

  private constructor(file: string, text: string) {
    this.file = file;
    this.#lines = new LineCounter();
    this.#doc = parseDocument(text, {
      lineCounter: this.#lines,
      uniqueKeys: true,
      prettyErrors: false,
    });
    this.problems = [...this.#doc.errors, ...this.#doc.warnings].map((e) => ({
      message: `cannot parse: ${e.message.split("\n")[0]}`,
      position: { file, ...this.#pos(e.pos[0]) },
    }));
    this.value = this.problems.length ? undefined : this.#doc.toJS({ maxAliasCount: 100 });
  }

  /**
   * Parses pipeline text (YAML or JSON).
   *
   * @param file The name used in positions.
   * @param text The file's contents.
   */
  static parse(file: string, text: string): PipelineDocument {
    return new PipelineDocument(file, text.replace(/^\uFEFF/, ""));
  }

  #pos(offset: number): { line: number; column: number } {
    const p = this.#lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  /**
   * @param path The path of the value (e.g. `["stages", 1, "with", "lr"]`).
   * @param key Point at the mapping key instead of its value.
   * @returns The position of the deepest existing node along `path`.
   */
  locate(path: DocPath, key = false): SourcePosition {
    let node: unknown = this.#doc.contents;
    let found: { range?: [number, number, number] | null } | null = node as Node;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
        if (!pair) break;
        const last = i === path.length - 1;
        node = pair.value;
        found = (last && key ? pair.key : pair.value ?? pair.key) as Node;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
        node = node.items[seg];
        found = node as Node;
      } else break;
    }
    const offset = found?.range?.[0] ?? 0;
    return { file: this.file, ...this.#pos(offset) };
  }
}
