"""PyTorch peer of the encoder benchmark: a random-weight BertModel forward pass with masked
mean pooling, timed on the CPU or CUDA. Prints one JSON line per timed repeat.

  python3 bench/peers/torch_encoder.py --layers 6 --hidden 384 --heads 12 --intermediate 1536 \
      --seqs 8 --len 128 --device cpu --repeats 1 [--threads N] [--half]
"""

import argparse
import json
import time

import torch
from transformers import BertConfig, BertModel


def main() -> None:
    p = argparse.ArgumentParser()
    for name, default in [("layers", 6), ("hidden", 384), ("heads", 12), ("intermediate", 1536),
                          ("vocab", 30522), ("seqs", 8), ("len", 128), ("repeats", 1),
                          ("threads", 0), ("seed", 7)]:
        p.add_argument(f"--{name}", type=int, default=default)
    p.add_argument("--device", default="cpu")
    p.add_argument("--half", action="store_true", help="f16 weights and math (CUDA)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    cfg = BertConfig(vocab_size=a.vocab, hidden_size=a.hidden, num_hidden_layers=a.layers,
                     num_attention_heads=a.heads, intermediate_size=a.intermediate,
                     max_position_embeddings=512, hidden_act="gelu")
    model = BertModel(cfg, add_pooling_layer=False).eval().to(a.device)
    if a.half:
        model = model.half()
    ids = torch.randint(0, a.vocab, (a.seqs, a.len), device=a.device)
    mask = torch.ones_like(ids)

    def run() -> torch.Tensor:
        with torch.inference_mode():
            h = model(input_ids=ids, attention_mask=mask).last_hidden_state
            v = (h * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
            v = torch.nn.functional.normalize(v.float(), dim=-1)
        if a.device.startswith("cuda"):
            torch.cuda.synchronize()
        return v

    run()  # warm-up: allocations, kernels
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        run()
        s = time.perf_counter() - t0
        print(json.dumps({
            "peer": f"torch-{a.device.split(':')[0]}{'-f16' if a.half else ''}",
            "seconds": s,
            "tokens": a.seqs * a.len,
            "tokens_per_s": a.seqs * a.len / s,
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
        }), flush=True)


if __name__ == "__main__":
    main()
