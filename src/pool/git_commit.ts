/**
 * The git commit a directory is checked out at, read from `.git` files (no `git` process).
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";

function _read(path: string): string | null {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return null;
  }
}

/** @returns The git directory of the repository holding `dir`, or null. */
function _gitDir(dir: string): string | null {
  let d = resolve(dir);
  while (true) {
    const dotGit = join(d, ".git");
    try {
      const st = Deno.statSync(dotGit);
      if (st.isDirectory) return dotGit;
      // A worktree or submodule: ".git" is a file "gitdir: <path>".
      const m = /^gitdir:\s*(.+)$/m.exec(_read(dotGit) ?? "");
      if (m) return isAbsolute(m[1]) ? m[1] : resolve(d, m[1]);
    } catch {
      // not here: look in the parent
    }
    const parent = dirname(d);
    if (parent === d) return null;
    d = parent;
  }
}

/**
 * Reads the commit that `HEAD` points to in the repository holding `dir`.
 *
 * @param dir Any directory inside the work tree.
 * @returns The 40-hex commit id, or null when `dir` is not in a git repository or it cannot be read.
 * @example
 * ```ts
 * import { gitCommit } from "./git_commit.ts";
 * const c = gitCommit("/");
 * if (c !== null && !/^[0-9a-f]{40}$/.test(c)) throw new Error();
 * ```
 */
export function gitCommit(dir: string): string | null {
  const git = _gitDir(dir);
  if (!git) return null;
  const head = _read(join(git, "HEAD"));
  if (!head) return null;
  if (/^[0-9a-f]{40}$/.test(head)) return head;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return null;
  // Linked worktrees keep refs in the common directory.
  const common = _read(join(git, "commondir"));
  const dirs = common ? [git, resolve(git, common)] : [git];
  for (const d of dirs) {
    const loose = _read(join(d, ref));
    if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose;
    const packed = _read(join(d, "packed-refs"));
    const line = packed?.split("\n").find((l) => l.endsWith(` ${ref}`));
    if (line) return line.slice(0, 40);
  }
  return null;
}
