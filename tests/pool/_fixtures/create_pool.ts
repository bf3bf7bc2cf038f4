/**
 * Child process of the atomic-creation test: prints "opening", creates the pool at
 * `Deno.args[0]` (Pool.open for writing), registers a run and prints "created".
 */
import { Pool } from "../../../src/pool/pool.ts";

console.log("opening");
const pool = await Pool.open(Deno.args[0]);
await pool.startRun({ runId: "created", pipeline: "create" });
await pool.close();
console.log("created");
