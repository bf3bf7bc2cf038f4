/**
 * One DuckDB instance per pool file per process. DuckDB's file lock is a POSIX lock, owned by the
 * process: a second instance on the same file would open it again, and closing that one would
 * silently drop the lock the first still relies on. So the pools a process opens share
 * instances, counted here.
 *
 * @module
 */
import { resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { lockedError } from "./locked_error.ts";

interface Entry {
  instance: DuckDBInstance;
  readOnly: boolean;
  refs: number;
}

// Process-wide by nature: it mirrors the process-wide file lock. Holds the opening promise, so
// two concurrent opens of one file share one instance.
const _open = new Map<string, Promise<Entry>>();

/** A shared instance; call `release` once when done with it. */
export interface InstanceLease {
  instance: DuckDBInstance;
  /** True when the instance is read-only (opened so by this or an earlier lease). */
  readOnly: boolean;
  release(): void;
}

/**
 * Opens (or shares) the DuckDB instance of a pool file.
 *
 * @param path The file, or `:memory:` (never shared).
 * @param readOnly Open read-only (a writable instance already open in this process is shared).
 * @returns The lease.
 * @throws {PoolLockedError} When another process holds the file.
 */
export async function acquireInstance(path: string, readOnly: boolean): Promise<InstanceLease> {
  if (path === ":memory:") {
    const instance = await DuckDBInstance.create(":memory:");
    return { instance, readOnly: false, release: () => instance.closeSync() };
  }
  const key = _key(path);
  let pending = _open.get(key);
  if (!pending) {
    pending = _create(path, key, readOnly);
    _open.set(key, pending);
  }
  const entry = await pending;
  // The last lease was released (and the instance closed) while this one waited: start over.
  if (_open.get(key) !== pending) return acquireInstance(path, readOnly);
  if (entry.readOnly && !readOnly) {
    throw new Error(
      `Cannot open pool '${path}' for writing as this process has it open read-only: ` +
        `close the read-only Pool first`,
    );
  }
  entry.refs++;
  let released = false;
  return {
    instance: entry.instance,
    readOnly: entry.readOnly,
    release: () => {
      if (released) return;
      released = true;
      if (--entry.refs === 0) {
        _open.delete(key);
        entry.instance.closeSync();
      }
    },
  };
}

async function _create(path: string, key: string, readOnly: boolean): Promise<Entry> {
  try {
    // A writer checkpoints the WAL into the file every 128 MB instead of DuckDB's 16 MB: a
    // checkpoint costs about as much as the bulk write before it, and a clean close checkpoints.
    const opts: Record<string, string> = readOnly
      ? { access_mode: "READ_ONLY" }
      : { checkpoint_threshold: "128MB" };
    return { instance: await DuckDBInstance.create(path, opts), readOnly, refs: 0 };
  } catch (e) {
    _open.delete(key);
    throw lockedError(path, e) ?? e;
  }
}

function _key(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return resolve(path);
  }
}
