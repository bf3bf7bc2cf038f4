import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCheckpoint, saveCheckpoint } from "../../src/model/checkpoint.ts";
import { memoryLog, trainInto, withRunDir, withServer } from "./_server.ts";
import { SERVE_DEFAULTS, startServer } from "../../src/serve/server.ts";
import { serveOptions } from "../../src/cli/serve.ts";

const SERVE = new URL("../../src/cli/serve.ts", import.meta.url).pathname;

async function readUntil(reader: ReadableStreamDefaultReader<string>, re: RegExp): Promise<string> {
  let text = "";
  const deadline = Date.now() + 30_000;
  while (!re.test(text) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return text;
}

Deno.test("deno task serve logs the model and URL, and SIGTERM answers the request in flight, then exits 0", () =>
  withRunDir(async (dir) => {
    await trainInto(dir);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-net=127.0.0.1",
        "--allow-env=SERFLOW_DEBUG",
        SERVE,
        dir,
        "--port",
        "0",
        "--backend",
        "cpu",
        "--max-wait-ms",
        "400",
        "--max-batch",
        "1000",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const start = await readUntil(reader, /serving \S+ at http:\/\/127\.0\.0\.1:\d+/);
    const m = /serving (\S+) at (http:\/\/127\.0\.0\.1:\d+)/.exec(start);
    assert.ok(m, start);
    assert.ok(m[1].includes("/train@"));
    const inFlight = fetch(`${m[2]}/v1/rewards`, {
      method: "POST",
      body: JSON.stringify({ items: [{ prompt: "hi", response: "yo" }] }),
    });
    await new Promise((r) => setTimeout(r, 100)); // the request now waits for its batch
    child.kill("SIGTERM");
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal((await res.json()).model, m[1]);
    const rest = await readUntil(reader, /stopped/);
    assert.match(rest, /SIGTERM: answering requests in flight/);
    reader.releaseLock();
    await child.stderr.cancel().catch(() => {});
    assert.equal((await child.status).code, 0);
  }));

Deno.test("a checkpoint without reward statistics still serves; --normalize refuses it by name", () =>
  withRunDir(async (dir) => {
    const path = await trainInto(dir);
    const ckpt = await loadCheckpoint(path);
    const { rewardStats: _, ...metadata } = ckpt.metadata;
    const old = join(dir, "old.ckpt");
    await saveCheckpoint(old, { ...ckpt, metadata });
    await withServer(old, {}, (s) => {
      assert.equal(s.model().rewardStats, null);
      return Promise.resolve();
    });
    await assert.rejects(
      () =>
        startServer({
          ...SERVE_DEFAULTS,
          target: old,
          port: 0,
          follow: false,
          normalize: true,
          backend: "cpu",
          log: memoryLog().log,
        }),
      /Cannot normalise rewards of checkpoint '.*old\.ckpt' as it has no reward statistics/,
    );
    await assert.rejects(
      () =>
        startServer({
          ...SERVE_DEFAULTS,
          target: join(dir, "nope"),
          port: 0,
          follow: false,
          normalize: false,
          log: memoryLog().log,
        }),
      /Cannot serve '.*nope' as it does not exist/,
    );
  }));

Deno.test("serve options: defaults, and bad flags are usage errors", () => {
  const o = serveOptions(["runs/x"])!;
  assert.deepEqual([o.hostname, o.port, o.maxBatch, o.split], ["127.0.0.1", 8000, 1024, "auto"]);
  assert.throws(() => serveOptions(["runs/x", "--port", "1.5"]), /--port must be an integer >= 0/);
  assert.throws(
    () => serveOptions(["runs/x", "--split", "vicuna"]),
    /split rule 'vicuna' .* unknown/,
  );
  assert.throws(() => serveOptions([]), /expected one run directory or checkpoint/);
  assert.equal(serveOptions(["--help"]), null);
});
