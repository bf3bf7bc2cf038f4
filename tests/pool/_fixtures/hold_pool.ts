/**
 * Child process of the lock tests: opens the pool at `Deno.args[0]` for writing, writes one run,
 * prints "holding" and keeps the pool open until its stdin closes (or it is killed).
 */
import { Pool } from "../../../src/pool/pool.ts";

const pool = await Pool.open(Deno.args[0]);
await pool.startRun({ runId: "holder", pipeline: "hold" });
console.log("holding");
for await (const _ of Deno.stdin.readable) {
  // wait for stdin to close
}
await pool.close();
