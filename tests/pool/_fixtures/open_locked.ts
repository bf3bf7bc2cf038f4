/**
 * Child process of the lock tests, run with full permissions (`-A`, which Deno needs to read
 * another process's `/proc/<pid>/cmdline`): tries to open the locked pool at `Deno.args[0]` and
 * prints the error's `pid` and `commandLine` as JSON.
 */
import { Pool } from "../../../src/pool/pool.ts";
import { PoolLockedError } from "../../../src/pool/locked_error.ts";

try {
  await Pool.open(Deno.args[0], { readOnly: true });
  console.log(JSON.stringify({ opened: true }));
} catch (e) {
  if (!(e instanceof PoolLockedError)) throw e;
  console.log(JSON.stringify({ pid: e.pid, commandLine: e.commandLine }));
}
