#!/usr/bin/env python3
"""A PyTorch reward model of serflow's default size behind a minimal HTTP server: the peer of
`deno task serve` in `deno task bench --only serve`.

The model is serflow's (src/model/types.ts): hashed word and bigram ids through an embedding bag
(sum, scaled by 1/sqrt(n)) for the prompt and the response, then an MLP over
[p, q, p*q, log1p|P|, log1p|Q|] with GELU (tanh) and one output. Weights are random: speed does
not depend on them. Text becomes ids as a practitioner would write it in Python: lower-case, a
regex for words and punctuation, Python's built-in string hash into the buckets (the same amount
of work per token as serflow's featurizer, not the same ids).

The server speaks OpenRLHF's remote reward protocol (POST /get_reward with `query` and
`prompts`, answering `{"rewards": [...]}`) and GET /healthz, on the standard library's
ThreadingHTTPServer with HTTP/1.1 keep-alive. Each request is one forward pass over its items
(no batching across requests: the minimal server a practitioner would stand up).

Usage: python3 bench/peers/torch_serve.py --port N [--device cpu|cuda] [--threads N]
       [--buckets 262144] [--dim 64] [--hidden 128]
"""
import argparse
import json
import math
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch
import torch.nn.functional as F
from torch import nn

TOKEN = re.compile(r"\w+|[^\w\s]")


class RewardModel(nn.Module):
    def __init__(self, buckets, dim, hidden):
        super().__init__()
        self.bag = nn.EmbeddingBag(buckets, dim, mode="sum")
        nn.init.normal_(self.bag.weight, std=0.1)
        self.fc1 = nn.Linear(3 * dim + 2, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def pool(self, ids, offsets, counts):
        # 1/sqrt(n) per id: the "sqrtn" pooling; an empty bag pools to zero.
        weights = torch.repeat_interleave(counts.clamp(min=1).rsqrt(), counts)
        return self.bag(ids, offsets, per_sample_weights=weights)

    def forward(self, p_ids, p_off, p_n, q_ids, q_off, q_n):
        p = self.pool(p_ids, p_off, p_n)
        q = self.pool(q_ids, q_off, q_n)
        dense = torch.stack([torch.log1p(p_n.float()), torch.log1p(q_n.float())], dim=1)
        x = torch.cat([p, q, p * q, dense], dim=1)
        h = F.gelu(self.fc1(x), approximate="tanh")
        return self.fc2(h).squeeze(1)


class Featurizer:
    def __init__(self, buckets):
        self.buckets = buckets

    def ids(self, text, salt):
        toks = TOKEN.findall(text.lower())
        b = self.buckets
        out = [hash((salt, t)) % b for t in toks]
        out += [hash((salt, toks[i - 1], toks[i])) % b for i in range(1, len(toks))]
        return out[-1024:]

    def batch(self, texts, salt, device):
        ids, offsets, counts = [], [], []
        for t in texts:
            x = self.ids(t, salt)
            offsets.append(len(ids))
            counts.append(len(x))
            ids.extend(x)
        as_long = lambda v: torch.tensor(v, dtype=torch.long, device=device)
        return as_long(ids), as_long(offsets), as_long(counts)


def make_handler(model, featurizer, device):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive response.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def _send(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/healthz":
                self._send(200, {"status": "ok"})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self):
            if self.path != "/get_reward":
                return self._send(404, {"error": "not found"})
            try:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                query, prompts = body["query"], body["prompts"]
                responses = [q[len(p):].strip() for q, p in zip(query, prompts)]
            except (ValueError, KeyError, TypeError) as e:
                return self._send(400, {"error": str(e)})
            with torch.inference_mode():
                p = featurizer.batch(prompts, "prompt", device)
                q = featurizer.batch(responses, "response", device)
                rewards = model(*p, *q).tolist()
            self._send(200, {"rewards": rewards, "scores": rewards})

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--buckets", type=int, default=262144)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=128)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = RewardModel(a.buckets, a.dim, a.hidden).to(a.device).eval()
    server = ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(model, Featurizer(a.buckets), a.device))
    server.daemon_threads = True
    print(f"torch {torch.__version__} reward model on {a.device} at http://127.0.0.1:{a.port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
