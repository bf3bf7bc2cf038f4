/**
 * The HTTP endpoints: routing, the JSON answers, and the error answers (a thrown `HttpError`
 * becomes its status and JSON; anything else a 500 that keeps the server up).
 *
 * @module
 */
import { sigmoid } from "../model/math.ts";
import { normalizeRewards, type RewardStats } from "../model/reward_stats.ts";
import type { JobRewards, ScoreJob } from "./batch_plan.ts";
import type { ServeMetrics } from "./metrics.ts";
import { HttpError, readJson, type RequestLimits } from "./http_body.ts";
import { parseCompare, parseGetReward, parseRewards } from "./requests.ts";
import type { ModelInfo } from "./served_model.ts";
import type { SplitRule } from "./split.ts";

/** A job's rewards and the model that computed them. */
export type Answer = JobRewards & { model: ModelInfo };

/** What the handlers need from the server. */
export interface HandlerContext {
  limits: RequestLimits;
  split: SplitRule;
  /** Normalise rewards with the model's training statistics. */
  normalize: boolean;
  metrics: ServeMetrics;
  /** Scores a job in the next micro-batch. */
  score(job: ScoreJob): Promise<Answer>;
  /** The model answering now. */
  model(): ModelInfo;
  /** Settings shown by `/v1/model`. */
  settings: Record<string, unknown>;
}

const ENDPOINTS: Record<string, string> = {
  "/get_reward": "POST",
  "/v1/rewards": "POST",
  "/v1/compare": "POST",
  "/healthz": "GET",
  "/v1/model": "GET",
  "/metrics": "GET",
};

function _json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function _rewards(a: Float32Array, model: ModelInfo, ctx: HandlerContext): number[] {
  if (ctx.normalize) normalizeRewards(a, model.rewardStats as RewardStats);
  return Array.from(a);
}

async function _route(req: Request, path: string, ctx: HandlerContext): Promise<Response> {
  switch (path) {
    case "/healthz":
      return _json({ status: "ok", model: ctx.model().id });
    case "/v1/model":
      return _json({ ...ctx.model(), serving: ctx.settings });
    case "/metrics":
      return new Response(ctx.metrics.render(ctx.model().id), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    case "/get_reward": {
      const r = parseGetReward(await readJson(req, ctx.limits), ctx.limits, ctx.split);
      const ans = await ctx.score({ prompts: r.prompts, a: r.responses });
      ctx.metrics.items(path, r.prompts.length);
      const rewards = _rewards(ans.a, ans.model, ctx);
      return _json({ rewards, scores: rewards, model: ans.model.id });
    }
    case "/v1/rewards": {
      const r = parseRewards(await readJson(req, ctx.limits), ctx.limits);
      const ans = await ctx.score({ prompts: r.prompts, a: r.responses });
      ctx.metrics.items(path, r.prompts.length);
      return _json({ rewards: _rewards(ans.a, ans.model, ctx), model: ans.model.id });
    }
    case "/v1/compare": {
      const r = parseCompare(await readJson(req, ctx.limits), ctx.limits);
      const ans = await ctx.score({ prompts: r.prompts, a: r.a, b: r.b });
      ctx.metrics.items(path, 2 * r.prompts.length);
      const b = ans.b!;
      const probabilities = Array.from(ans.a, (ra, i) => sigmoid(ra - b[i]));
      return _json({
        probabilities,
        rewards_a: _rewards(ans.a, ans.model, ctx),
        rewards_b: _rewards(b, ans.model, ctx),
        model: ans.model.id,
      });
    }
  }
  throw new HttpError(404, "not_found", `Cannot find '${path}'`, "path");
}

/**
 * Answers one request.
 *
 * @param req The request.
 * @param ctx The server's state.
 * @returns The response (never rejects).
 */
export async function handle(req: Request, ctx: HandlerContext): Promise<Response> {
  const started = performance.now();
  const path = new URL(req.url).pathname;
  const known = path in ENDPOINTS;
  ctx.metrics.enter();
  let res: Response;
  try {
    if (!known) {
      throw new HttpError(
        404,
        "not_found",
        `Cannot find '${path}': endpoints are ${
          Object.entries(ENDPOINTS).map(([p, m]) => `${m} ${p}`).join(", ")
        }`,
        "path",
      );
    }
    if (req.method !== ENDPOINTS[path]) {
      throw new HttpError(
        405,
        "method_not_allowed",
        `Cannot ${req.method} '${path}': use ${ENDPOINTS[path]}`,
        "method",
      );
    }
    res = await _route(req, path, ctx);
  } catch (e) {
    const err = e instanceof HttpError
      ? e
      : new HttpError(500, "internal", `Cannot answer as scoring failed: ${(e as Error).message}`);
    ctx.metrics.error(err.kind);
    res = _json(err.toJSON(), err.status);
    if (err.status === 405) res.headers.set("allow", ENDPOINTS[path]);
    if (err.status === 503) res.headers.set("retry-after", "1");
  } finally {
    ctx.metrics.leave();
  }
  ctx.metrics.request(known ? path : "other", res.status, (performance.now() - started) / 1e3);
  return res;
}
