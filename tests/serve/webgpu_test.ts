import assert from "node:assert/strict";
import { pairRows } from "../../src/data/schema.ts";
import { HAS_ADAPTER } from "../gpu/_webgpu.ts";
import { post, toyBatches, trainInto, withRunDir, withServer } from "./_server.ts";

Deno.test({
  name: "on WebGPU the server answers a micro-batch with the CPU reference's rewards (1e-4)",
  ignore: !HAS_ADAPTER,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withRunDir(async (dir) => {
      await trainInto(dir);
      const rows = pairRows(toyBatches()[0]).slice(0, 40);
      const pairs = rows.map((r) => ({
        prompt: r.prompt,
        response_a: r.response_a,
        response_b: r.response_b,
      }));
      let cpu: Record<string, unknown> = {};
      await withServer(dir, {}, async (s) => {
        cpu = (await post(`${s.url}/v1/compare`, { pairs })).json;
      });
      await withServer(dir, { backend: "webgpu", maxWaitMs: 20 }, async (s) => {
        assert.equal(s.model().backend, "webgpu");
        // Four concurrent requests: one batch, one GPU submission, split back in order.
        const parts = [0, 10, 20, 30].map((at) => pairs.slice(at, at + 10));
        const answers = await Promise.all(
          parts.map((p) => post(`${s.url}/v1/compare`, { pairs: p })),
        );
        for (const key of ["rewards_a", "rewards_b", "probabilities"]) {
          const gpu = answers.flatMap((a) => a.json[key] as number[]);
          (cpu[key] as number[]).forEach((x, i) =>
            assert.ok(
              Math.abs(x - gpu[i]) < 1e-4 * (1 + Math.abs(x)),
              `${key}[${i}]: ${x} vs ${gpu[i]}`,
            )
          );
        }
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        assert.match(metrics, /serflow_serve_batch_requests_count 1\n/);
      });
    }),
});
