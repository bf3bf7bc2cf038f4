"""Loads serflow exports with the real trainers' own loaders and trains a few steps on them.

Usage: python3 trainer_check.py MANIFEST.json

MANIFEST.json: {"cases": [{"name", "trainer": "trl" | "openrlhf" | "none", "load": "json" | "parquet" | "dir",
"path", "steps"}]}. Prints one line `RESULT <json>` per case on stdout, then "done". A case that fails prints its
error (type, message) instead of stopping the others.

- trl: `datasets.load_dataset` as a TRL user does, then TRL's `RewardTrainer` for `steps` steps on a
  tiny random-weight BERT reward model (built here from a config: no downloads) with a WordPiece
  tokenizer trained here on the exported text, and a small chat template for conversational data.
- none: load only (the row and columns are reported).
- openrlhf: the reward dataset preprocessing of OpenRLHF with its default keys (`prompt_key` None,
  `chosen_key` "chosen", `rejected_key` "rejected"), chat template off for text data and on for
  message lists. OpenRLHF's own `preprocess_data` is used when `openrlhf` is installed; otherwise the
  same rules written out here (`prompt` from `prompt_key` or ""; `chosen`/`rejected` read by key as
  text; `margin` read when present and not None, else 0; then `prompt + chosen` is tokenized).
"""

import json
import math
import os
import sys
import tempfile
import time
import traceback

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("DISABLE_TQDM", "1")

import datasets  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers  # noqa: E402
from trl import RewardConfig, RewardTrainer  # noqa: E402

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[EOS]"]
CHAT_TEMPLATE = (
    "{% for m in messages %}[SEP] {{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}[SEP] assistant:{% endif %}"
)


def load(case):
    if case["load"] == "json":
        return datasets.load_dataset("json", data_files=case["path"], split="train")
    if case["load"] == "parquet":
        return datasets.load_dataset("parquet", data_files=case["path"], split="train")
    return datasets.load_dataset(case["path"], split="train")


def texts(value):
    """All strings of a row value (text or message list)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for m in value:
            yield from texts(m.get("content") if isinstance(m, dict) else m)


def build_tokenizer(corpus):
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(corpus, trainers.WordPieceTrainer(vocab_size=400, special_tokens=SPECIALS))
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        eos_token="[EOS]",
        model_max_length=512,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def tiny_model(tokenizer):
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=512,
        num_labels=1,
        pad_token_id=tokenizer.pad_token_id,
    )
    return transformers.BertForSequenceClassification(config)


def run_trl(case, ds, tokenizer, work):
    args = RewardConfig(
        output_dir=os.path.join(work, case["name"]),
        max_steps=case.get("steps", 3),
        per_device_train_batch_size=2,
        learning_rate=1e-3,
        logging_steps=1,
        report_to="none",
        save_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
        max_length=512,
        dataloader_num_workers=0,
        seed=0,
    )
    trainer = RewardTrainer(
        model=tiny_model(tokenizer), args=args, train_dataset=ds, processing_class=tokenizer
    )
    out = trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return {
        "steps": trainer.state.global_step,
        "loss": out.training_loss,
        "losses": losses,
        "finite": all(math.isfinite(x) for x in losses) and math.isfinite(out.training_loss),
        "margin_used": "margin" in trainer.train_dataset.column_names,
    }


def openrlhf_rows(ds, tokenizer):
    """OpenRLHF's RewardDataset preprocessing with its default keys."""
    try:
        from openrlhf.datasets.reward_dataset import preprocess_data  # type: ignore

        source = "openrlhf"
    except ImportError:
        preprocess_data, source = None, "rules"
    first = ds[0]
    chat = isinstance(first["chosen"], list)
    apply = tokenizer.apply_chat_template if chat else None
    rows = []
    for data in ds:
        if preprocess_data is not None:
            prompt, chosen, rejected, margin = preprocess_data(data, None, None, "chosen", "rejected", apply)
        elif apply:
            prompt = ""
            chosen = apply(data["chosen"], tokenize=False)
            rejected = apply(data["rejected"], tokenize=False)
            margin = data["margin"] if data.get("margin") is not None else 0
        else:
            prompt, chosen, rejected = "", data["chosen"], data["rejected"]
            margin = data["margin"] if data.get("margin") is not None else 0
        for text in (chosen, rejected):
            if not isinstance(text, str):
                raise TypeError(f"OpenRLHF reads 'chosen'/'rejected' as text, got {type(text).__name__}")
        ids = tokenizer((prompt + chosen).rstrip("\n") + " " + tokenizer.eos_token, add_special_tokens=False)
        rows.append({"chosen": chosen, "rejected": rejected, "margin": float(margin), "tokens": len(ids["input_ids"])})
    return source, chat, rows


def main():
    manifest = json.load(open(sys.argv[1]))
    cases = manifest["cases"]
    loaded = {}
    corpus = []
    for case in cases:
        try:
            ds = load(case)
            loaded[case["name"]] = ds
            for row in ds:
                for key in ("prompt", "chosen", "rejected"):
                    if key in row:
                        corpus.extend(texts(row[key]))
        except Exception as e:  # reported per case below
            loaded[case["name"]] = e
    tokenizer = build_tokenizer(corpus or ["empty"])
    with tempfile.TemporaryDirectory(prefix="serflow-trainers-") as work:
        for case in cases:
            t0 = time.time()
            result = {"name": case["name"]}
            ds = loaded[case["name"]]
            try:
                if isinstance(ds, Exception):
                    raise ds
                result["rows"] = len(ds)
                result["columns"] = ds.column_names
                result["first"] = {k: ds[0][k] for k in ds.column_names} if len(ds) else None
                if case["trainer"] == "trl":
                    result.update(run_trl(case, ds, tokenizer, work))
                elif case["trainer"] == "openrlhf":
                    source, chat, rows = openrlhf_rows(ds, tokenizer)
                    result.update({"source": source, "chat_template": chat, "openrlhf": rows})
                result["ok"] = True
            except Exception as e:
                result["ok"] = False
                result["error"] = f"{type(e).__name__}: {e}"
                result["trace"] = traceback.format_exc(limit=-3)
            result["seconds"] = round(time.time() - t0, 2)
            print("RESULT " + json.dumps(result, default=str), flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
