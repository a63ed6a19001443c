"""Notebook 08's LSTM vs Transformer comparison: each model's best learning rate from one sweep.

Notebook 08 trains an LSTM (144 units) and a Transformer (2 blocks, d_model 64) of about 110,000
parameters each on the Lee characters, for the same number of updates (``--updates``, the
notebook's ``UPDATES`` = 800) of 16 windows of 64 characters, over the same windows in the same
shuffled order, and scores both on the validation documents with the same context: windows of 64
characters that start every 32 (``lm.evaluate_documents(..., context=64)``). A comparison at one
fixed step size would favour whichever model that step size suits, so this script trains both at
every rate in ``--rates`` and prints validation bits per character for each; the notebook then
trains each model at its own best rate. The rates are picked on the validation split, as every
setting in the course is; the test split stays unused.

Results depend on the number of updates, not on the machine; the seconds printed beside them do::

    python benchmarks/lr_sweep.py                       # rates 0.001 0.003 0.01 0.03, 800 updates
    python benchmarks/lr_sweep.py --updates 200         # a quick look
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import lmtutor  # noqa: E402

lmtutor.quiet_tensorflow()

from lmtutor import datasets, lm, lstm_lm, transformer  # noqa: E402

from notebooks import speed_line  # noqa: E402  (benchmarks/notebooks.py: the machine's GFLOP/s)

CONTEXT, BATCH = 64, 16  # notebook 08's window and batch


def build(name: str, vocab_size: int, rate: float, seed: int):
    """Return notebook 08's model ``name`` ("LSTM" or "Transformer") with Adam's step size ``rate``."""
    if name == "LSTM":
        return lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=vocab_size, embedding_dim=32, hidden_size=144,
                                                          learning_rate=rate, seed=seed))
    return transformer.build_transformer_lm(transformer.TransformerConfig(
        vocab_size=vocab_size, context=CONTEXT, d_model=64, heads=4, layers=2, learning_rate=rate, seed=seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.001, 0.003, 0.01, 0.03])
    parser.add_argument("--updates", type=int, default=800)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(speed_line(), flush=True)
    lee = datasets.lm_corpus("lee_chars")
    inputs, targets = lee.windows(seq_len=CONTEXT)
    schedule = (np.resize(inputs, (args.updates * BATCH, CONTEXT)), np.resize(targets, (args.updates * BATCH, CONTEXT)))
    valid = lee.ids("valid")
    print(f"{args.updates} updates of {BATCH} windows of {CONTEXT} characters, seed {args.seed}; validation "
          f"bits per character with windows of {CONTEXT} (stride {CONTEXT // 2}) for both models\n")
    print("| model | learning rate | validation bits/char | training s |")
    print("|---|---|---|---|")
    best = {}
    for name in ("LSTM", "Transformer"):
        for rate in args.rates:
            model = build(name, len(lee.vocab), rate, args.seed)
            start = time.perf_counter()
            lm.train(model, schedule, epochs=1, batch_size=BATCH, seed=args.seed, verbose=False)
            seconds = time.perf_counter() - start
            bits = lm.evaluate_documents(model, valid, context=CONTEXT)["bits_per_token"]
            print(f"| {name} | {rate:g} | {bits:.3f} | {seconds:.1f} |", flush=True)
            if name not in best or bits < best[name][1]:
                best[name] = (rate, bits)
    print()
    for name, (rate, bits) in best.items():
        print(f"best for the {name}: learning rate {rate:g} ({bits:.3f} bits per character)")


if __name__ == "__main__":
    main()
