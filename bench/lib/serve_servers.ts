/**
 * Starts the servers the serving benchmark loads: `src/cli/serve.ts` with the permissions
 * `deno task serve` gives it, and the PyTorch peer (`bench/peers/torch_serve.py`).
 *
 * @module
 */
import { defaultPython } from "./peer_specs.ts";
import { freePort, waitHealthy } from "./serve_load.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** A server process. */
export interface BenchServer {
  url: string;
  stop(): Promise<void>;
}

async function _start(cmd: string, args: string[], port: number): Promise<BenchServer> {
  const child = new Deno.Command(cmd, { args, cwd: ROOT, stdout: "null", stderr: "piped" })
    .spawn();
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const err = new Response(child.stderr).text();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(`${url}/healthz`, 120, () => !exited);
  } catch (e) {
    if (!exited) child.kill("SIGKILL");
    await status;
    throw new Error(`${(e as Error).message}\n${(await err).slice(-2000)}`);
  }
  return {
    url,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      await status;
      await err;
    },
  };
}

/**
 * @param checkpoint The checkpoint.
 * @param o Backend and batching flags.
 * @returns The running server.
 */
export function startSerflow(
  checkpoint: string,
  o: { backend: string; maxBatch: number; maxWaitMs: number },
): Promise<BenchServer> {
  const port = freePort();
  const extra = (Deno.env.get("SERFLOW_BENCH_DENO_FLAGS") ?? "").split(/\s+/).filter((x) => x);
  return _start(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-net=127.0.0.1",
    "--allow-env=SERFLOW_DEBUG",
    ...extra,
    "src/cli/serve.ts",
    checkpoint,
    "--port",
    String(port),
    "--backend",
    o.backend,
    "--max-batch",
    String(o.maxBatch),
    "--max-wait-ms",
    String(o.maxWaitMs),
    "--quiet",
  ], port);
}

/**
 * @param device `cpu` or `cuda`.
 * @returns The running peer.
 */
export function startTorchPeer(device: string): Promise<BenchServer> {
  const port = freePort();
  return _start(defaultPython(), [
    `${ROOT}/bench/peers/torch_serve.py`,
    "--port",
    String(port),
    "--device",
    device,
  ], port);
}
