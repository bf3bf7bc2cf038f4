/**
 * The SER loop's store on the run's labelled pool: each iteration writes its checkpoint
 * (`checkpoints/iter-<n>.ckpt`), then commits its labels, its metrics and its model in ONE pool
 * transaction; `restore` rebuilds the state after the last committed iteration (labels from the
 * pool, model and optimizer from that iteration's checkpoint) for `--resume`.
 *
 * @module
 */
import { relative } from "node:path";
import type { StageContext } from "../contracts/types.ts";
import type { Batch } from "../contracts/types.ts";
import { runPool } from "../pool/run_pool.ts";
import type { Pool } from "../pool/pool.ts";
import type { LabelRows } from "../pool/types.ts";
import { trainingDataHash } from "../model/labelled_rows.ts";
import type { IterationRecord, RunMetrics } from "../report/metrics.ts";
import {
  type CheckpointOwner,
  dropOptimizer,
  iterationCheckpointPath,
  loadIterationCheckpoint,
  saveIterationCheckpoint,
  saveKeptModel,
} from "./checkpoints.ts";
import type { SerData } from "./dataset.ts";
import type { SelectReason } from "./select.ts";
import type { IterationCommit, Restored, SerStore } from "./store.ts";
import type { SelfLabels } from "./train_set.ts";

/**
 * Opens the store of a `ser` stage on the run's pool (`runPool(ctx)`).
 *
 * @param ctx The stage context (its `runId` identifies the run across `--resume`).
 * @param owner Where checkpoints go and the settings they must match.
 * @param data The pairs (pair ids by row position).
 * @param batches The input batches: written to the pool's `pairs` with iteration 0.
 * @returns The store.
 */
export async function openPoolStore(
  ctx: StageContext,
  owner: CheckpointOwner,
  data: SerData,
  batches: readonly Batch[],
): Promise<SerStore> {
  return new PoolStore(await runPool(ctx), owner, data, batches, ctx.resume);
}

/** The model id of an iteration's model in the pool's `models` table. */
export function modelId(owner: CheckpointOwner, iteration: number): string {
  return `${owner.runId}/${owner.stageId}/iter-${iteration}`;
}

class PoolStore implements SerStore {
  #pool: Pool;
  #owner: CheckpointOwner;
  #data: SerData;
  #batches: readonly Batch[];
  #resume: boolean;
  #rowOf: Map<string, number> | null = null;

  constructor(
    pool: Pool,
    owner: CheckpointOwner,
    data: SerData,
    batches: readonly Batch[],
    resume: boolean,
  ) {
    this.#pool = pool;
    this.#owner = owner;
    this.#data = data;
    this.#batches = batches;
    this.#resume = resume;
  }

  async restore(): Promise<Restored | null> {
    if (!this.#resume) return null;
    const last = await this.#pool.lastCommittedIteration(this.#owner.runId);
    if (last === null) return null;
    const res = await this.#pool.query(
      `SELECT iteration, metrics FROM iterations WHERE run_id = $1 ORDER BY iteration`,
      { values: [this.#owner.runId] },
    );
    const records = res.rows.map((r) =>
      (JSON.parse(String(r[1])) as { record: IterationRecord }).record
    );
    const labels = await this.#pool.currentLabels({ runId: this.#owner.runId });
    const selfLabels: SelfLabels = new Map();
    for (let i = 0; i < labels.length; i++) {
      if (labels.origin[i] !== "self") continue;
      const row = this.#row(labels.pairId[i]);
      selfLabels.set(row, {
        label: labels.label[i] as 1 | -1,
        iteration: labels.iteration[i],
        margin: labels.margin[i],
        pA: labels.pA[i],
        pB: labels.pB[i],
        reason: labels.rule[i] as SelectReason,
        swapped: labels.swapped[i] === 1,
      });
    }
    const ckpt = await loadIterationCheckpoint(this.#owner, last);
    if (!ckpt.optimizer) {
      throw new Error(
        `Cannot resume as checkpoint '${
          iterationCheckpointPath(this.#owner.runDir, last)
        }' has no ` +
          `optimizer state: start the run afresh without --resume`,
      );
    }
    return { records, selfLabels, params: ckpt.params, optimizer: ckpt.optimizer };
  }

  async commit(c: IterationCommit): Promise<void> {
    const k = c.iteration;
    const train = c.labels.filter((l) => l.label !== null);
    const hash = trainingDataHash({
      rows: Uint32Array.from(train, (l) => l.row),
      labels: Int8Array.from(train, (l) => l.label!),
      pairIds: train.map((l) => this.#data.pairIds[l.row]),
    });
    const path = await saveIterationCheckpoint(
      this.#owner,
      c.record,
      hash,
      c.params,
      c.optimizer,
      c.rewardStats,
    );
    const byOrigin = (origin: "human" | "self") => c.labels.filter((l) => l.origin === origin);
    await this.#pool.transaction(async (tx) => {
      if (k === 0) await tx.insertPairs(this.#batches);
      for (const origin of ["human", "self"] as const) {
        const ls = byOrigin(origin);
        if (ls.length === 0) continue;
        const rows: LabelRows = {
          pairId: ls.map((l) => this.#data.pairIds[l.row]),
          label: ls.map((l) => l.label),
          origin,
          iteration: k,
          rule: ls.map((l) => l.rule),
          pA: ls.map((l) => l.pA),
          pB: ls.map((l) => l.pB),
          margin: ls.map((l) => l.margin),
          swapped: ls.map((l) => l.swapped),
          modelId: origin === "self" ? modelId(this.#owner, k - 1) : null,
        };
        // Human seed labels may already be there (a `pool` stage upstream writes them too).
        await tx.appendLabels(rows, { skipDuplicates: origin === "human" });
      }
      await tx.recordModel({
        modelId: modelId(this.#owner, k),
        iteration: k,
        checkpoint: relative(this.#owner.runDir, path),
        metrics: {
          validationAccuracy: c.record.validationAccuracy,
          testAccuracy: c.record.testAccuracy,
        },
      });
      await tx.recordIteration({
        iteration: k,
        status: c.record.status,
        selected: c.record.selected,
        poolSize: c.record.poolSize,
        metrics: { record: c.record, scores: c.scores },
        durationMs: c.durationMs ?? null,
      });
    });
    if (k > 0) await dropOptimizer(this.#owner, k - 1);
  }

  async finish(metrics: RunMetrics): Promise<void> {
    await saveKeptModel(this.#owner, metrics.final!.iteration);
    await this.#pool.finishRun(this.#owner.runId, "completed", metrics.stopReason);
  }

  #row(pairId: string): number {
    this.#rowOf ??= new Map(this.#data.pairIds.map((id, i) => [id, i]));
    const row = this.#rowOf.get(pairId);
    if (row === undefined) {
      throw new Error(
        `Cannot resume as the pool labels pair '${pairId}', which is not in this run's input: ` +
          `resume with the same data and split settings, or start afresh without --resume`,
      );
    }
    return row;
  }
}
