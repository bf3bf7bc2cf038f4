/**
 * Resolves the reader's `path` setting (one path, a list, or glob patterns) to files.
 *
 * @module
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";

const GLOB_CHARS = /[*?[{]/;

/**
 * Converts a glob pattern to a regular expression over `/`-separated paths: `*` and `?` stay
 * inside one folder, `**` spans folders, `[abc]`/`[!abc]` are classes, `{a,b}` alternatives.
 *
 * @param glob The pattern.
 * @returns A regular expression matching whole paths.
 * @example
 * ```ts
 * import { globToRegExp } from "./resolve_paths.ts";
 * const re = globToRegExp("data/**\/*.{jsonl,json}");
 * if (!re.test("data/a/b/x.json") || re.test("data/x.csv")) throw new Error();
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      out += slash ? "(?:[^/]*/)*" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
        out += `[${body}]`;
        i = end;
      }
    } else if (c === "{") {
      inGroup = true;
      out += "(?:";
    } else if (c === "}" && inGroup) {
      inGroup = false;
      out += ")";
    } else if (c === "," && inGroup) out += "|";
    else out += c.replace(/[.+^$()|\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/**
 * Resolves paths and glob patterns against `baseDir` (the pipeline file's folder; `..` allowed)
 * to absolute file paths: each pattern's matches sorted, duplicates across patterns dropped.
 *
 * @param patterns One path or pattern, or several.
 * @param baseDir Folder that relative paths start from.
 * @returns Absolute paths of existing files, in order.
 * @throws {Deno.errors.NotFound} When a path does not exist or a pattern matches no file.
 * @example
 * ```ts
 * import { resolvePaths } from "./resolve_paths.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/b.jsonl`, "");
 * await Deno.writeTextFile(`${dir}/a.jsonl`, "");
 * const files = await resolvePaths("*.jsonl", dir);
 * if (!files[0].endsWith("a.jsonl") || files.length !== 2) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function resolvePaths(
  patterns: string | readonly string[],
  baseDir: string,
): Promise<string[]> {
  const list = typeof patterns === "string" ? [patterns] : patterns;
  const out: string[] = [];
  const seen = new Set<string>();
  for (const pattern of list) {
    const full = isAbsolute(pattern) ? resolve(pattern) : resolve(baseDir, pattern);
    const found = GLOB_CHARS.test(pattern) ? await _glob(full) : await _single(full, pattern);
    if (found.length === 0) {
      throw new Deno.errors.NotFound(
        `Cannot read '${pattern}' as no file matches it (looked in ${_staticPrefix(full)}): ` +
          `check the pattern; relative paths start at the pipeline file's folder ${baseDir}`,
      );
    }
    for (const f of found) {
      if (!seen.has(f)) out.push(f);
      seen.add(f);
    }
  }
  return out;
}

async function _single(full: string, pattern: string): Promise<string[]> {
  try {
    const st = await Deno.stat(full);
    if (st.isDirectory) {
      throw new TypeError(
        `Cannot read '${pattern}' as it is a folder: name the files, e.g. '${pattern}/*.jsonl'`,
      );
    }
    return [full];
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

async function _glob(full: string): Promise<string[]> {
  const root = _staticPrefix(full);
  const rest = relative(root, full).split(sep).join("/");
  const re = globToRegExp(rest);
  const depth = rest.includes("**") ? Infinity : rest.split("/").length;
  const found: string[] = [];
  const walk = async (dir: string, rel: string, level: number) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [];
      for await (const e of Deno.readDir(dir)) entries.push(e);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const path = join(dir, e.name);
      const st = e.isSymlink ? await Deno.stat(path).catch(() => null) : e;
      if (st?.isDirectory && level < depth) await walk(path, r, level + 1);
      else if (st?.isFile && re.test(r)) found.push(path);
    }
  };
  await walk(root, "", 1);
  return found.sort();
}

function _staticPrefix(full: string): string {
  const parts = full.split(sep);
  const k = parts.findIndex((p) => GLOB_CHARS.test(p));
  return k < 0 ? full : parts.slice(0, k).join(sep) || sep;
}
