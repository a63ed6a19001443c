"""The scaling sweep of notebook 13: character-level loss vs model size and vs training tokens.

Each model is the course's LSTM language model (``lstm_lm.build_lstm_lm``: embedding 32, Adam 0.01
clipped at norm 1, seed 0: notebook 04's model and step size) at one hidden size, trained
through ``lm.train`` on the Lee news corpus as characters (``datasets.lm_corpus("lee_chars")``,
non-overlapping windows of 64 from the training split, in the order of a permutation seeded 0).
Training goes through the windows in chunks; after each chunk the validation loss (mean nats per
character over the first --valid-windows windows of the validation split) is recorded with the
number of tokens seen so far, so one run gives a whole learning curve (at one constant step size,
not one run per budget). The loss at the last budget is the loss-vs-size point; the curve of each
model is loss vs tokens. Parameters are counted without the input embedding table (Kaplan et al.
2020 fit their N that way), and with it. A Transformer (notebook 08) learns too slowly in a few
hundred CPU updates for its sizes to separate (measured: 2.43-2.67 nats per character for
d_model 8-64 after 2^18 tokens, no trend), so the sweep uses the LSTM, as Kaplan et al. also did
for their LSTM comparison.

The default sweep (6 hidden sizes, 2^19 = 524,288 training tokens, 1.9 passes over the 280,000
tokens of the training split, 512 updates of 16 windows) is what ``data/scaling_sweep.json``
holds and notebook 13 loads::

    nice -n 10 python benchmarks/scaling.py --out data/scaling_sweep.json        # about 5-10 min on 2 cores
    python benchmarks/scaling.py --widths 8 16 --out /tmp/sweep.json           # a quick look

Prints a markdown table; never fails on a time or a loss.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from lmtutor import quiet_tensorflow  # noqa: E402

tf = quiet_tensorflow()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from lmtutor import datasets, lm, lstm_lm, scaling  # noqa: E402

try:
    from notebooks import speed_line  # benchmarks/notebooks.py, when run from this folder
except ImportError:  # run as a module or from elsewhere
    speed_line = None

CONTEXT = 64  # characters per window (and the model's context)
WIDTHS = (8, 16, 32, 64, 128, 256)  # LSTM hidden sizes of the 6 default sizes
BUDGETS = (2**14, 2**15, 2**16, 2**17, 2**18, 2**19)  # training tokens at which the validation loss is recorded


def parameters(model: keras.Model) -> tuple[int, int]:
    """Return (parameters outside the input embedding table, all parameters) of an LSTM LM."""
    total = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    embedding = model.get_layer("embedding").count_params()
    return total - embedding, total


def run(width: int, train: tuple, valid: tuple, vocab_size: int, *, batch_size: int, learning_rate: float,
        seed: int) -> dict:
    """Return one size's record: widths, parameter counts, the validation loss at each budget, seconds."""
    config = lstm_lm.LSTMLMConfig(vocab_size=vocab_size, embedding_dim=32, hidden_size=width,
                                  learning_rate=learning_rate, seed=seed)
    model = lstm_lm.build_lstm_lm(config)
    non_embedding, total = parameters(model)
    rng = np.random.default_rng(seed)  # passes over the windows, each in a new shuffled order
    passes = -(-BUDGETS[-1] // (len(train[1]) * CONTEXT))
    order = np.concatenate([rng.permutation(len(train[1])) for _ in range(passes)])
    inputs, targets = train[0][order], train[1][order]
    curve, done, begin = [], 0, time.perf_counter()
    for budget in BUDGETS:
        windows = budget // CONTEXT
        lm.train(model, (inputs[done:windows], targets[done:windows]), epochs=1, batch_size=batch_size,
                 seed=seed, verbose=False)
        done = windows
        loss = float(model.evaluate(valid[0], valid[1], batch_size=256, verbose=0))
        curve.append({"tokens": budget, "valid_loss": loss})
    seconds = time.perf_counter() - begin
    print(f"hidden {width:3d}: {non_embedding:7,d} non-embedding parameters ({total:7,d} in all), "
          f"valid loss {curve[-1]['valid_loss']:.4f} nats/char after {BUDGETS[-1]:,} tokens ({seconds:.0f} s)",
          flush=True)
    return {"hidden_size": width, "non_embedding_parameters": non_embedding, "parameters": total,
            "curve": curve, "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS))
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--valid-windows", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the sweep as JSON here")
    args = parser.parse_args()
    corpus = datasets.lm_corpus("lee_chars")
    train = corpus.windows(CONTEXT)
    valid = tuple(x[:args.valid_windows] for x in corpus.windows(CONTEXT, "valid"))
    if speed_line:
        print(speed_line(), flush=True)
    records = [run(w, train, valid, len(corpus.vocab), batch_size=args.batch_size,
                   learning_rate=args.learning_rate, seed=args.seed)
               for w in args.widths]
    sizes = np.array([r["non_embedding_parameters"] for r in records], dtype=float)
    final = np.array([r["curve"][-1]["valid_loss"] for r in records])
    print("\n| hidden size | non-embedding params | params | valid loss (nats/char) | seconds |\n|---|---|---|---|---|")
    for r in records:
        print(f"| {r['hidden_size']} | {r['non_embedding_parameters']:,} | {r['parameters']:,} | "
              f"{r['curve'][-1]['valid_loss']:.4f} | {r['seconds']:.0f} |")
    if len(records) >= 2:
        print(f"\npower law in N: {scaling.fit_power_law(sizes, final)}")
    if args.out:
        sweep = {"corpus": "lee_chars", "context": CONTEXT, "batch_size": args.batch_size,
                 "valid_windows": args.valid_windows, "seed": args.seed, "budgets": list(BUDGETS), "learning_rate": args.learning_rate,
                 "model": f"lstm_lm.build_lstm_lm: embedding 32, Adam {args.learning_rate}, clip_norm 1",
                 "machine": f"{platform.machine()}, {os.cpu_count()} cores; {speed_line() if speed_line else ''}",
                 "tensorflow": tf.__version__, "records": records}
        args.out.write_text(json.dumps(sweep, indent=1) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
