/**
 * The reward-model server: loads the model, batches concurrent requests into single scoring
 * calls, follows the run for new checkpoints, and shuts down gracefully (in-flight requests are
 * answered before it stops).
 *
 * @module
 */
import type { Logger } from "../contracts/types.ts";
import { splitScores } from "./batch_plan.ts";
import { currentCheckpoint, serveTarget } from "./find_checkpoint.ts";
import { follow, type Follower } from "./follow.ts";
import { type Answer, handle } from "./handlers.ts";
import { ServeMetrics } from "./metrics.ts";
import { MicroBatcher } from "./micro_batcher.ts";
import { ModelSlot } from "./model_slot.ts";
import { HttpError, type RequestLimits } from "./http_body.ts";
import { type ModelInfo, ServedModel } from "./served_model.ts";
import { splitRule } from "./split.ts";
import type { ScoreJob } from "./batch_plan.ts";

/** How to serve. */
export interface ServeOptions {
  /** A run directory or a checkpoint file. */
  target: string;
  hostname: string;
  /** The port (0: any free port). */
  port: number;
  backend: "webgpu" | "cpu" | "auto";
  /** Items per scoring batch (a compared pair counts as two). */
  maxBatch: number;
  /** How long a batch waits for more requests, in milliseconds. */
  maxWaitMs: number;
  /** Switch to newer checkpoints as the run writes them. */
  follow: boolean;
  /** With `follow`: rescan period in milliseconds, besides file-system events. */
  pollMs: number;
  /** Normalise rewards with the checkpoint's training statistics. */
  normalize: boolean;
  /** The split rule for `/get_reward` without `prompts` (see `splitRule`). */
  split: string;
  limits: RequestLimits;
  log: Logger;
}

/** Defaults of the options a user usually leaves alone. */
export const SERVE_DEFAULTS = {
  hostname: "127.0.0.1",
  port: 8000,
  backend: "auto",
  maxBatch: 1024,
  maxWaitMs: 2,
  pollMs: 2000,
  split: "auto",
  limits: {
    maxBodyBytes: 32 * 1024 * 1024,
    maxItems: 4096,
    maxTextChars: 200_000,
    maxQueuedItems: 65536,
  },
} as const;

/** A running server. */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** The model answering now. */
  model(): ModelInfo;
  /** Rescans for a new checkpoint now (with `follow`); resolves once it is loaded or skipped. */
  rescan(): Promise<void>;
  /** Stops accepting connections, answers in-flight requests, frees the model. */
  shutdown(): Promise<void>;
}

/**
 * Starts a server.
 *
 * @param opts The options.
 * @returns The running server.
 * @throws {Error} When there is no checkpoint to serve, it cannot be loaded, `normalize` is asked
 *   of a checkpoint without reward statistics, or the address cannot be used.
 * @example
 * ```ts
 * import { SERVE_DEFAULTS, startServer } from "./server.ts";
 * import { saveCheckpoint } from "../model/checkpoint.ts";
 * import { DEFAULT_FEATURIZER } from "../model/featurizer.ts";
 * import { initParams } from "../model/params.ts";
 * import { DEFAULT_MODEL } from "../model/types.ts";
 * import { Rng } from "../contracts/rng.ts";
 * const model = { ...DEFAULT_MODEL, buckets: 1024, dim: 4, hidden: 4 };
 * const path = await Deno.makeTempFile({ suffix: ".ckpt" });
 * await saveCheckpoint(path, { model, featurizer: { ...DEFAULT_FEATURIZER, buckets: 1024 },
 *   params: initParams(model, new Rng(1)),
 *   metadata: { createdAt: "2025-01-01T00:00:00Z", iteration: 0, dataHash: "", metrics: {} } });
 * const noop = () => {};
 * const server = await startServer({ ...SERVE_DEFAULTS, target: path, port: 0, backend: "cpu",
 *   follow: false, normalize: false, log: { debug: noop, info: noop, warn: noop, error: noop } });
 * const res = await fetch(`${server.url}/v1/rewards`, { method: "POST",
 *   body: JSON.stringify({ items: [{ prompt: "Hi!", response: "Hello." }] }) });
 * const { rewards, model: id } = await res.json();
 * if (rewards.length !== 1 || id !== server.model().id) throw new Error();
 * await server.shutdown();
 * await Deno.remove(path);
 * ```
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const rule = splitRule(opts.split);
  const target = await serveTarget(opts.target);
  const found = await currentCheckpoint(target);
  if (!found) {
    throw new Error(
      `Cannot serve run '${opts.target}' as it has no checkpoint under checkpoints/ yet: ` +
        `serve it once a train or ser stage has written one`,
    );
  }
  const open = async (path: string) => {
    const m = await ServedModel.open(path, opts.backend, opts.log);
    if (opts.normalize && !m.info.rewardStats) {
      m.destroy();
      throw new Error(
        `Cannot normalise rewards of checkpoint '${path}' as it has no reward statistics ` +
          `(written before they were recorded): retrain it, or serve without --normalize`,
      );
    }
    return m;
  };
  const metrics = new ServeMetrics();
  const slot = new ModelSlot(await open(found.path), (from, to) => {
    metrics.reload();
    opts.log.info("switched model", { from: from.id, to: to.id });
  });
  const batcher = new MicroBatcher<ScoreJob, Answer>(
    { maxBatch: opts.maxBatch, maxWaitMs: opts.maxWaitMs },
    async (jobs) => {
      const model = slot.acquire();
      try {
        const { plan, scores } = await model.scoreJobs(jobs);
        metrics.batch(plan.pairs.prompts.length, jobs.length);
        return splitScores(plan, scores, jobs).map((r) => ({ ...r, model: model.info }));
      } finally {
        slot.release();
      }
    },
    _rows,
  );
  const ctx = {
    limits: opts.limits,
    split: rule,
    normalize: opts.normalize,
    metrics,
    score: (job: ScoreJob) => {
      const waiting = batcher.queuedRows, max = opts.limits.maxQueuedItems;
      if (waiting > 0 && waiting + _rows(job) > max) {
        throw new HttpError(
          503,
          "overloaded",
          `Cannot take the request as ${waiting} items are already waiting for a batch (limit ` +
            `${max}, --max-queued-items): retry after a moment`,
        );
      }
      return batcher.submit(job);
    },
    model: () => slot.current.info,
    settings: {
      maxBatch: opts.maxBatch,
      maxWaitMs: opts.maxWaitMs,
      follow: opts.follow,
      normalize: opts.normalize,
      split: rule.name,
      limits: opts.limits,
    },
  };
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: opts.hostname, port: opts.port, onListen: () => {} },
      (req) => handle(req, ctx),
    );
  } catch (e) {
    slot.destroy();
    throw _listenError(e, opts);
  }
  const follower: Follower | null = opts.follow
    ? follow(target, slot, open, opts.log, opts.pollMs)
    : null;
  const host = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  const url = `http://${host}:${server.addr.port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    model: () => slot.current.info,
    rescan: () => follower?.scan() ?? Promise.resolve(),
    shutdown: () =>
      closing ??= (async () => {
        await server.shutdown();
        await batcher.drained();
        await follower?.stop();
        slot.destroy();
      })(),
  };
}

function _rows(job: ScoreJob): number {
  return job.prompts.length * (job.b ? 2 : 1);
}

function _listenError(e: unknown, opts: ServeOptions): Error {
  const err = e as Error;
  if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
    return new Error(
      `Cannot listen on ${opts.hostname}:${opts.port} as this process may not use that address ` +
        `(deno task serve allows loopback only): run\n  deno run --allow-read ` +
        `--allow-net=${opts.hostname}:${opts.port} --allow-env=SERFLOW_DEBUG src/cli/serve.ts ` +
        `${opts.target} --host ${opts.hostname} --port ${opts.port}`,
    );
  }
  if (err instanceof Deno.errors.AddrInUse) {
    return new Error(
      `Cannot listen on ${opts.hostname}:${opts.port} as the port is in use: pick another with --port`,
    );
  }
  return err;
}
