/**
 * The `// #include "file.wgsl"` step of the shader loader: WGSL has no includes, so what every
 * kernel repeats (the flat invocation index, the AdamW update, the activations) lives once in
 * `shaders/lib/` and is pasted in where a kernel names it. A directive is a whole line; the path is
 * relative to the including file; each file is pasted once per kernel (later directives naming it
 * again are dropped, so two includes may share a third). The expansion keeps, for every line, the
 * file and line it came from, so that a compile error can name the line the author wrote.
 *
 * @module
 */

/** Where one line of an expanded shader came from. */
export interface LineOrigin {
  /** The file, relative to the shader directory (e.g. `lib/adamw.wgsl`). */
  file: string;
  /** 1-based line in that file. */
  line: number;
}

/** A shader with its includes pasted in. */
export interface ExpandedShader {
  /** The WGSL the compiler sees. */
  code: string;
  /** Origin of each line of `code` (index 0 = line 1). */
  origins: LineOrigin[];
}

const DIRECTIVE = /^\s*\/\/\s*#include\b(.*)$/;
const QUOTED = /^\s*"([^"]+)"\s*$/;

/**
 * Expands the `// #include "..."` lines of a shader.
 *
 * @param file The shader's path relative to the shader directory (e.g. `adam_dense.wgsl`).
 * @param read Reads a file by its path relative to the shader directory.
 * @returns The expanded code and the origin of each of its lines.
 * @throws Error naming the file and line of a malformed directive, a missing file, or a file that
 *   includes itself.
 * @example
 * ```ts
 * import { expandIncludes } from "./shader_include.ts";
 * const files: Record<string, string> = {
 *   "k.wgsl": '// #include "lib/one.wgsl"\nfn main() {}',
 *   "lib/one.wgsl": "const ONE = 1u;",
 * };
 * const x = await expandIncludes("k.wgsl", (f) => Promise.resolve(files[f]));
 * if (x.code !== "const ONE = 1u;\nfn main() {}") throw new Error(x.code);
 * if (x.origins[0].file !== "lib/one.wgsl" || x.origins[1].line !== 2) throw new Error();
 * ```
 */
export async function expandIncludes(
  file: string,
  read: (file: string) => Promise<string>,
): Promise<ExpandedShader> {
  const lines: string[] = [], origins: LineOrigin[] = [];
  const done = new Set<string>();
  const walk = async (path: string, stack: string[]): Promise<void> => {
    done.add(path);
    const text = await read(path);
    const own = text.split(/\r?\n/);
    for (let i = 0; i < own.length; i++) {
      const d = DIRECTIVE.exec(own[i]);
      if (!d) {
        lines.push(own[i]);
        origins.push({ file: path, line: i + 1 });
        continue;
      }
      const where = `shaders/${path}:${i + 1}`;
      const q = QUOTED.exec(d[1]);
      if (!q) {
        throw new Error(
          `Cannot expand the include at ${where} as it must read // #include "file.wgsl": ` +
            `current line is '${own[i].trim()}'`,
        );
      }
      const target = resolveInclude(path, q[1], where);
      if (stack.includes(target)) {
        throw new Error(
          `Cannot include "${q[1]}" at ${where} as it includes itself: ` +
            [...stack, target].join(" -> "),
        );
      }
      if (done.has(target)) continue;
      try {
        await walk(target, [...stack, target]);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) {
          throw new Error(
            `Cannot include "${q[1]}" at ${where} as shaders/${target} does not exist`,
          );
        }
        throw e;
      }
    }
  };
  await walk(file, [file]);
  return { code: lines.join("\n"), origins };
}

/**
 * Resolves an include path against the including file's directory.
 *
 * @param from The including file (relative to the shader directory).
 * @param name The quoted path.
 * @param where `shaders/file:line` of the directive, for errors.
 * @returns The path relative to the shader directory.
 * @throws Error when the path leaves the shader directory.
 * @example
 * ```ts
 * import { resolveInclude } from "./shader_include.ts";
 * if (resolveInclude("lib/a.wgsl", "b.wgsl", "x") !== "lib/b.wgsl") throw new Error();
 * if (resolveInclude("k.wgsl", "lib/../lib/b.wgsl", "x") !== "lib/b.wgsl") throw new Error();
 * ```
 */
export function resolveInclude(from: string, name: string, where: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const p of name.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (parts.length === 0) {
        throw new Error(
          `Cannot include "${name}" at ${where} as it leaves the shaders/ directory`,
        );
      }
      parts.pop();
    } else parts.push(p);
  }
  return parts.join("/");
}

/**
 * Names the source line behind each `wgsl:LINE:COL` position of a compiler message, so that an
 * error in an included file points at that file (the message keeps the expanded source excerpt
 * the compiler printed).
 *
 * @param message The compiler's message.
 * @param origins The expansion's line origins.
 * @returns The message followed by one `expanded line L is shaders/FILE:LINE` line per position
 *   (the message alone when it names none).
 * @example
 * ```ts
 * import { explainLines } from "./shader_include.ts";
 * const m = explainLines("bad ┌─ wgsl:2:5", [{ file: "k.wgsl", line: 1 }, { file: "lib/a.wgsl", line: 7 }]);
 * if (!m.endsWith("expanded line 2 is shaders/lib/a.wgsl:7:5")) throw new Error(m);
 * ```
 */
export function explainLines(message: string, origins: readonly LineOrigin[]): string {
  const notes: string[] = [];
  for (const m of message.matchAll(/wgsl:(\d+):(\d+)/g)) {
    const o = origins[Number(m[1]) - 1];
    if (!o) continue;
    const note = `expanded line ${m[1]} is shaders/${o.file}:${o.line}:${m[2]}`;
    if (!notes.includes(note)) notes.push(note);
  }
  return notes.length ? `${message}\n${notes.join("\n")}` : message;
}
