#!/usr/bin/env python3
"""The serflow reward model written in PyTorch as a practitioner would write it well.

Same math as src/model/types.ts: hashed-id embedding bags (nn.EmbeddingBag, mode="sum",
sparse=True, per-sample weights 1/n or 1/sqrt(n)) for prompt and responses, the MLP over
[p, q, p*q, log1p|P|, log1p|Q|], the Bradley-Terry loss w * softplus(m - y (r_a - r_b)) averaged
over the mini-batch, SparseAdam (lazy: touched rows only) for the table with decoupled weight decay
on touched rows, AdamW for the MLP (no decay on biases). Reads a peer-data folder written by
bench/lib/peer_data.ts (same features, same sets, same example order, same initial weights) and
prints one JSON line with phase timings and test accuracy.

torch.optim.SparseAdam adds eps to the uncorrected sqrt(v) (the Adam paper's "epsilon hat"), which
is eps / sqrt(1 - beta2^t) in the contract's terms: 30x larger at step 1. The table's gradients
(means over a mini-batch, ~1e-7..1e-6) are close to that, so SparseAdam's first steps are
measurably smaller than the contract's. `--table-optimizer exact` replaces it with the contract's
lazy AdamW written in a few tensor ops, so that losses match serflow's to float rounding.

Usage: python3 bench/peers/torch_rm.py --data DIR [--device cpu|cuda] [--threads N]
       [--table-optimizer sparse_adam|exact]
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class RewardModel(nn.Module):
    def __init__(self, embedding, w1, b1, w2, b2, cfg):
        super().__init__()
        buckets, dim = embedding.shape
        self.cfg = cfg
        self.bag = nn.EmbeddingBag(buckets, dim, mode="sum", sparse=True)
        self.bag.weight.data.copy_(torch.from_numpy(embedding))
        self.fc1 = nn.Linear(w1.shape[1], w1.shape[0])
        self.fc1.weight.data.copy_(torch.from_numpy(w1))
        self.fc1.bias.data.copy_(torch.from_numpy(b1))
        self.fc2 = nn.Linear(w1.shape[0], 1)
        self.fc2.weight.data.copy_(torch.from_numpy(w2).reshape(1, -1))
        self.fc2.bias.data.copy_(torch.from_numpy(b2))

    def reward(self, p, q, np_log, nq_log):
        parts = [p, q, p * q]
        if self.cfg["denseFeatures"]:
            parts += [np_log[:, None], nq_log[:, None]]
        h = self.fc1(torch.cat(parts, dim=1))
        h = F.gelu(h, approximate="tanh") if self.cfg["activation"] == "gelu" else F.relu(h)
        return self.fc2(h).squeeze(1)

    def forward(self, batch):
        p = self.bag(batch["p_ids"], batch["p_off"], per_sample_weights=batch["p_w"])
        qa = self.bag(batch["a_ids"], batch["a_off"], per_sample_weights=batch["a_w"])
        qb = self.bag(batch["b_ids"], batch["b_off"], per_sample_weights=batch["b_w"])
        ra = self.reward(p, qa, batch["p_n"], batch["a_n"])
        rb = self.reward(p, qb, batch["p_n"], batch["b_n"])
        return ra, rb


class Csr:
    """One bag column (offsets + ids) with a vectorized gather of a batch of bags."""

    def __init__(self, offsets, ids, pooling):
        self.offsets = offsets.astype(np.int64)
        self.ids = ids.astype(np.int64)
        self.pooling = pooling

    def batch(self, idx, device):
        starts = self.offsets[idx]
        lens = self.offsets[idx + 1] - starts
        total = int(lens.sum())
        bag_off = np.cumsum(lens) - lens
        pos = np.arange(total, dtype=np.int64) - np.repeat(bag_off, lens) + np.repeat(starts, lens)
        n = np.maximum(lens, 1).astype(np.float32)
        scale = 1.0 / n if self.pooling == "mean" else 1.0 / np.sqrt(n)
        w = np.repeat(scale, lens)
        to = lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(device, non_blocking=True)
        return to(self.ids[pos]), to(bag_off), to(w.astype(np.float32)), to(
            np.log1p(lens.astype(np.float32)))


def make_batch(cols, idx, device):
    out = {}
    for key, col in zip(("p", "a", "b"), cols):
        out[key + "_ids"], out[key + "_off"], out[key + "_w"], out[key + "_n"] = col.batch(idx, device)
    return out


class ExactLazyAdamW:
    """The contract's AdamW on the rows a step touches: eps added to sqrt(v_hat), decoupled decay."""

    def __init__(self, param, lr, betas, eps, weight_decay):
        self.p, self.lr, (self.b1, self.b2), self.eps, self.wd = param, lr, betas, eps, weight_decay
        self.m = torch.zeros_like(param.data)
        self.v = torch.zeros_like(param.data)
        self.t = 0

    def zero_grad(self, set_to_none=True):
        self.p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        g = self.p.grad.coalesce()
        rows, gv = g.indices()[0], g.values()
        m = self.m[rows].mul_(self.b1).add_(gv, alpha=1 - self.b1)
        v = self.v[rows].mul_(self.b2).addcmul_(gv, gv, value=1 - self.b2)
        self.m[rows], self.v[rows] = m, v
        theta = self.p.data[rows]
        upd = (m / (1 - self.b1 ** self.t)) / ((v / (1 - self.b2 ** self.t)).sqrt_().add_(self.eps))
        self.p.data[rows] = theta - self.lr * (upd + self.wd * theta)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="peer-data folder (bench/lib/peer_data.ts)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="CPU threads (default: all)")
    ap.add_argument("--score-batch", type=int, default=8192)
    ap.add_argument("--table-optimizer", default="sparse_adam", choices=["sparse_adam", "exact"])
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("Cannot run the PyTorch peer on cuda as torch.cuda.is_available() is false: "
                 "install a CUDA build of torch or pass --device cpu")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    d = args.data
    meta = json.load(open(os.path.join(d, "meta.json")))
    cfg, opt = meta["model"], meta["train"]
    ld = lambda name: np.load(os.path.join(d, name + ".npy"))

    t0 = time.perf_counter()
    cols = [Csr(ld(k + "_offsets"), ld(k + "_ids"), cfg["pooling"]) for k in ("prompt", "a", "b")]
    train_idx, train_y, train_w = ld("train_idx").astype(np.int64), ld("train_labels"), ld("train_weights")
    test_idx, test_y = ld("test_idx").astype(np.int64), ld("test_labels")
    orders = ld("orders").astype(np.int64)
    model = RewardModel(ld("embedding"), ld("w1"), ld("b1"), ld("w2"), ld("b2"), cfg).to(device)
    betas = (opt["beta1"], opt["beta2"])
    if args.table_optimizer == "exact":
        sparse_opt = ExactLazyAdamW(model.bag.weight, opt["lr"], betas, opt["eps"], opt["weightDecay"])
    else:
        sparse_opt = torch.optim.SparseAdam([model.bag.weight], lr=opt["lr"], betas=betas, eps=opt["eps"])
    dense_opt = torch.optim.AdamW(
        [{"params": [model.fc1.weight, model.fc2.weight], "weight_decay": opt["weightDecay"]},
         {"params": [model.fc1.bias, model.fc2.bias], "weight_decay": 0.0}],
        lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["eps"])
    y_all = torch.from_numpy(train_y.astype(np.float32)).to(device)
    w_all = torch.from_numpy(train_w.astype(np.float32)).to(device)
    sync(device)
    setup_s = time.perf_counter() - t0

    epoch_s, epoch_loss, epoch_acc = [], [], []
    bs, margin, wd, lr = opt["batchSize"], opt["margin"], opt["weightDecay"], opt["lr"]
    for e in range(meta["epochs"]):
        t0 = time.perf_counter()
        order = orders[e]
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        for s in range(0, len(order), bs):
            pos = order[s:s + bs]
            batch = make_batch(cols, train_idx[pos], device)
            pos_t = torch.from_numpy(pos).to(device)
            y, w = y_all[pos_t], w_all[pos_t]
            ra, rb = model(batch)
            diff = y * (ra - rb)
            loss = (w * F.softplus(margin - diff)).mean()
            sparse_opt.zero_grad(set_to_none=True)
            dense_opt.zero_grad(set_to_none=True)
            loss.backward()
            if wd > 0 and args.table_optimizer == "sparse_adam":  # SparseAdam has no decay
                rows = torch.unique(torch.cat([batch["p_ids"], batch["a_ids"], batch["b_ids"]]))
                model.bag.weight.data[rows] *= 1 - lr * wd
            sparse_opt.step()
            dense_opt.step()
            loss_sum += loss.detach() * len(pos)
            correct += (diff.detach() > 0).sum()
        sync(device)
        epoch_s.append(time.perf_counter() - t0)
        epoch_loss.append(float(loss_sum) / len(order))
        epoch_acc.append(float(correct) / len(order))

    t0, cpu0 = time.perf_counter(), time.process_time()
    n = meta["n"]
    ra_all = np.empty(n, np.float32)
    rb_all = np.empty(n, np.float32)
    with torch.no_grad():
        for s in range(0, n, args.score_batch):
            idx = np.arange(s, min(n, s + args.score_batch), dtype=np.int64)
            ra, rb = model(make_batch(cols, idx, device))
            ra_all[s:s + len(idx)] = ra.cpu().numpy()
            rb_all[s:s + len(idx)] = rb.cpu().numpy()
    sync(device)
    score_s = time.perf_counter() - t0
    score_cpu_s = time.process_time() - cpu0
    acc = float(np.mean(test_y * (ra_all[test_idx] - rb_all[test_idx]) > 0))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({
        "peer": "torch", "backend": args.device,
        "device": torch.cuda.get_device_name() if args.device == "cuda" else f"cpu x{args.threads}",
        "version": torch.__version__, "table_optimizer": args.table_optimizer, "setup_s": setup_s, "epoch_s": epoch_s,
        "train_s": sum(epoch_s), "epoch_loss": epoch_loss, "epoch_accuracy": epoch_acc,
        "score_s": score_s, "score_cpu_s": score_cpu_s, "scored_pairs": n, "test_accuracy": acc,
        "first_scores": [float(x) for x in ra_all[:4]], "peak_rss_bytes": rss,
    }))


if __name__ == "__main__":
    main()
