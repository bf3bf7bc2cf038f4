/**
 * `deno task serve RUN_DIR|CHECKPOINT [options]`: serves a run's reward model over HTTP
 * (OpenRLHF's `/get_reward`, `/v1/rewards`, `/v1/compare`, `/healthz`, `/v1/model`, `/metrics`).
 * SIGINT or SIGTERM stops it after answering the requests in flight (exit 0).
 *
 * The task may listen on loopback only; for another address run this file with `deno run` and
 * `--allow-net=HOST:PORT` (the error message shows the exact command).
 *
 * @module
 */
import { createLogger } from "../util/log.ts";
import { SERVE_DEFAULTS, type ServeOptions, startServer } from "../serve/server.ts";
import { splitRule } from "../serve/split.ts";
import { parse, UsageError } from "./args.ts";
import { formatError } from "./errors.ts";

const D = SERVE_DEFAULTS;
const HELP = `usage: deno task serve RUN_DIR|CHECKPOINT [options]

Serves the run's newest kept checkpoint (or the given .ckpt file) over HTTP.

  --host HOST            address to listen on (default ${D.hostname}; the task allows loopback only)
  --port N               port (default ${D.port}; 0 picks a free one)
  --backend B            webgpu, cpu or auto (default ${D.backend})
  --max-batch N          items per scoring batch; a compared pair counts 2 (default ${D.maxBatch})
  --max-wait-ms MS       how long a batch waits for more requests (default ${D.maxWaitMs})
  --follow               switch to newer checkpoints as the run writes them
  --poll-ms MS           with --follow: rescan period besides file events (default ${D.pollMs})
  --normalize            return (reward - mean) / std over the training pool (OpenRLHF --normalize_reward)
  --split RULE           how /get_reward splits a query without prompts: auto, hh, chatml, llama3,
                         gemma, mistral, phi3 or marker:<text> (default ${D.split})
  --max-body-bytes N     largest request body (default ${D.limits.maxBodyBytes})
  --max-items N          most texts or pairs per request (default ${D.limits.maxItems})
  --max-text-chars N     longest text (default ${D.limits.maxTextChars})
  --max-queued-items N   items waiting for a batch before requests get 503 (default ${D.limits.maxQueuedItems})
  --log-format F         text (default) or json
  --quiet                warnings and errors only`;

function _int(v: string | undefined, name: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}: current value is ${v}`);
  }
  return n;
}

/**
 * Parses the command line.
 *
 * @param args Arguments after `serve`.
 * @returns The options (the logger included).
 * @throws {UsageError} For a bad flag or value.
 */
export function serveOptions(args: string[]): ServeOptions | null {
  const { values: v, positionals } = parse(args, {
    host: { type: "string" },
    port: { type: "string" },
    backend: { type: "string" },
    "max-batch": { type: "string" },
    "max-wait-ms": { type: "string" },
    follow: { type: "boolean" },
    "poll-ms": { type: "string" },
    normalize: { type: "boolean" },
    split: { type: "string" },
    "max-body-bytes": { type: "string" },
    "max-items": { type: "string" },
    "max-text-chars": { type: "string" },
    "max-queued-items": { type: "string" },
    "log-format": { type: "string" },
    quiet: { type: "boolean", short: "q" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) return null;
  if (positionals.length !== 1) throw new UsageError("expected one run directory or checkpoint");
  const backend = v.backend ?? D.backend;
  if (!["webgpu", "cpu", "auto"].includes(backend)) {
    throw new UsageError(`--backend must be webgpu, cpu or auto: current value is ${backend}`);
  }
  if (v["log-format"] && !["text", "json"].includes(v["log-format"])) {
    throw new UsageError(`--log-format must be text or json: current value is ${v["log-format"]}`);
  }
  try {
    splitRule(v.split ?? D.split);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    target: positionals[0],
    hostname: v.host ?? D.hostname,
    port: _int(v.port, "port", D.port, 0),
    backend: backend as ServeOptions["backend"],
    maxBatch: _int(v["max-batch"], "max-batch", D.maxBatch, 1),
    maxWaitMs: _int(v["max-wait-ms"], "max-wait-ms", D.maxWaitMs, 0),
    follow: v.follow ?? false,
    pollMs: _int(v["poll-ms"], "poll-ms", D.pollMs, 0),
    normalize: v.normalize ?? false,
    split: v.split ?? D.split,
    limits: {
      maxBodyBytes: _int(v["max-body-bytes"], "max-body-bytes", D.limits.maxBodyBytes, 1),
      maxItems: _int(v["max-items"], "max-items", D.limits.maxItems, 1),
      maxTextChars: _int(v["max-text-chars"], "max-text-chars", D.limits.maxTextChars, 1),
      maxQueuedItems: _int(
        v["max-queued-items"],
        "max-queued-items",
        D.limits.maxQueuedItems,
        1,
      ),
    },
    log: createLogger({
      format: v["log-format"] as "text" | "json" | undefined,
      quiet: v.quiet,
      verbose: v.verbose,
    }),
  };
}

/**
 * @param args Command-line arguments after `serve`.
 * @returns The exit code: 0 after a signal, 1 failed to start, 2 usage.
 */
export async function main(args: string[]): Promise<number> {
  let opts;
  try {
    opts = serveOptions(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${HELP}`);
    return 2;
  }
  if (!opts) return console.log(HELP), 0;
  const server = await startServer(opts);
  const m = server.model();
  opts.log.info(`serving ${m.id} at ${server.url}`, {
    checkpoint: m.checkpoint,
    iteration: m.iteration,
    backend: m.backend,
    follow: opts.follow,
    normalize: opts.normalize,
    endpoints: "POST /get_reward /v1/rewards /v1/compare, GET /healthz /v1/model /metrics",
  });
  const stop = Promise.withResolvers<string>();
  const listeners = (["SIGINT", "SIGTERM"] as const).map((sig) => {
    const fn = () => stop.resolve(sig);
    Deno.addSignalListener(sig, fn);
    return [sig, fn] as const;
  });
  const sig = await stop.promise;
  opts.log.info(`${sig}: answering requests in flight, then stopping`);
  await server.shutdown();
  for (const [s, fn] of listeners) Deno.removeSignalListener(s, fn);
  opts.log.info("stopped");
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(formatError(e, Deno.args.includes("--verbose")));
    Deno.exit(1);
  }
}
