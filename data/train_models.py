"""Train the LSTM language models that ship in data/models/ (the notebooks load them).

A notebook trains an LSTM for seconds; these recipes train it for tens of minutes on two CPU
cores, with the corpora and splits of ``lmtutor.datasets``, and keep the epoch with the best
validation score. Run from the repository root::

    .venv/bin/python data/train_models.py --list
    .venv/bin/python data/train_models.py lee_chars_lstm        # writes data/models/lee_chars_lstm/
    .venv/bin/python data/train_models.py --rescore lee_chars_lstm   # re-score the saved weights only

The weights depend on the CPU's floating-point order, so a rerun gives close, not identical,
numbers; the notebooks print what the committed files give, and tests/test_checkpoints.py checks
that each one still beats the Kneser-Ney baseline on validation.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class Recipe:
    """How one shipped model is trained."""

    corpus: str  # a key of lmtutor.datasets.CORPORA
    config: dict = field(default_factory=dict)  # LSTMLMConfig fields besides vocab_size and decay_steps
    epochs: int = 10  # passes over the training windows; the step size decays over all of them
    seq_len: int = 100  # tokens per training window (backpropagation through time over 100 steps)
    batch_size: int = 32  # windows per update


RECIPES = {
    "lee_chars_lstm": Recipe("lee_chars", dict(embedding_dim=32, hidden_size=512, dropout=0.25, learning_rate=0.005),
                             epochs=16, batch_size=32),
    # 1.5 M characters: 50 x 32 tokens per update gives 950 updates per epoch (100 x 64 gave 238,
    # and one epoch of those reached only 8.3 validation bits, against the 4-gram's 6.12). Three
    # epochs of an LSTM 256 with dropout 0.1 reached 6.62; six of an LSTM 384 without dropout 6.18,
    # overfitting (4.87 bits on its training batches): wider, with more dropout, for longer.
    "pd_chars_lstm": Recipe("pd_chars", dict(embedding_dim=128, hidden_size=512, dropout=0.3, learning_rate=0.005),
                            epochs=10, seq_len=50, batch_size=32),
    "pd_jieba_lstm": Recipe("pd_jieba", dict(embedding_dim=64, hidden_size=256, dropout=0.1, learning_rate=0.005),
                            epochs=3, seq_len=50, batch_size=32),
}


def train(name: str, out_dir: Path) -> Path:
    """Return the checkpoint folder after training recipe ``name`` and saving the best epoch."""
    import keras
    import numpy as np
    import tensorflow as tf

    from lmtutor import checkpoints, datasets, lm, lstm_lm

    recipe = RECIPES[name]
    data = datasets.lm_corpus(recipe.corpus)
    inputs, targets = data.windows(recipe.seq_len)
    updates = recipe.epochs * math.ceil(len(inputs) / recipe.batch_size)
    config = lstm_lm.LSTMLMConfig(vocab_size=len(data.vocab), decay_steps=updates, seed=0, **recipe.config)
    model = lstm_lm.build_lstm_lm(config)
    print(f"{name}: {len(inputs):,} windows of {recipe.seq_len} tokens, {model.count_params():,} parameters, "
          f"{recipe.epochs} epochs", flush=True)
    # one lm.train run: validation documents scored after every epoch, the best epoch's weights kept
    fitted = lm.train(model, (inputs, targets), valid_documents=data.ids("valid"), epochs=recipe.epochs,
                      batch_size=recipe.batch_size, restore_best=True, valid_batch_size=64, seed=0)
    history = [{"epoch": r["epoch"], "seconds": round(r["seconds"], 1), "train_bits": round(r["loss"] / math.log(2), 4),
                "valid_bits": round(r["valid_bits"], 4)} for r in fitted["epochs"]]
    info = {"corpus": recipe.corpus, "description": datasets.CORPORA[recipe.corpus][0],
            "seq_len": recipe.seq_len, "batch_size": recipe.batch_size, "epochs": recipe.epochs,
            "best_epoch": fitted["best_epoch"], "history": history,
            "train_seconds": history[-1]["seconds"], "command": f"python data/train_models.py {name}",
            "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
            "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__}}
    directory = out_dir / name
    checkpoints.save(directory, model, data.vocab, config, {**info, "valid_bits": None})
    return rescore(directory)


def rescore(directory: Path) -> Path:
    """Score a saved checkpoint's float16 weights (what ships) on validation and write it on the card.

    ``train`` ends with this; on its own (``--rescore``) it completes a run that stopped after saving.
    """
    from lmtutor import checkpoints, datasets, lm

    checkpoint = checkpoints.load(directory)
    valid = datasets.lm_corpus(checkpoint.info["corpus"]).ids("valid")
    info = {**checkpoint.info,
            "valid_bits": round(lm.evaluate_documents(checkpoint.model, valid, batch_size=64)["bits_per_token"], 4)}
    checkpoints.save(directory, checkpoint.model, checkpoint.vocab, checkpoint.config, info)
    print(f"{directory.name}: best epoch {info['best_epoch']}, valid {info['valid_bits']:.4f} bits per token with "
          f"the float16 weights, saved in {directory}", flush=True)
    return directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"recipes to train: {', '.join(RECIPES)}")
    parser.add_argument("--list", action="store_true", help="list the recipes and exit")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "models", help="folder for the checkpoints")
    parser.add_argument("--rescore", action="store_true",
                        help="do not train: score the saved checkpoints on validation and update their cards")
    args = parser.parse_args(argv)
    if args.list or not args.names:
        for name, recipe in RECIPES.items():
            print(f"{name}: {recipe}")
        return 0
    unknown = [n for n in args.names if n not in RECIPES]
    if unknown:
        parser.error(f"unknown recipe(s) {unknown}; choose from {list(RECIPES)}")
    for name in args.names:
        rescore(args.out / name) if args.rescore else train(name, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
