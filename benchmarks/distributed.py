"""Data parallelism on this machine: one device vs MirroredStrategy (1, 2, 4 logical CPUs) vs 2 workers.

Every run trains the same seeded character LSTM of notebook 13 (``lstm_lm.build_lstm_lm``:
embedding 16, hidden 32, Adam 0.01 clipped at norm 1) on the same first --windows windows of 32
characters of the Lee corpus, for --epochs epochs at global batch --batch, in ``lm.train``'s order:

- one device: ``lm.train`` (Keras ``fit``), no strategy;
- MirroredStrategy over 1, 2 and 4 logical CPUs (``distribute.logical_cpus(4)`` first, in this
  process), with ``lm.train`` (fit) and with ``distribute.fit_distributed`` (the custom step);
- 2 workers: ``distribute.run_workers`` (MultiWorkerMirroredStrategy, two processes on localhost,
  the custom step). Its wall time includes starting both processes; "step" is its training time only.

Step time is the training wall time divided by the number of updates (the first epoch's tracing
included); "final loss" is the last epoch's mean training loss, which must agree across runs to
about 1e-6. The machine's speed is printed before and after (benchmarks/notebooks.py)::

    nice -n 10 python benchmarks/distributed.py                 # about 1-3 minutes on 2 cores

Prints a markdown table; never fails on a time.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from lmtutor import distribute, quiet_tensorflow  # noqa: E402

quiet_tensorflow()
DEVICES = distribute.logical_cpus(4)  # before TensorFlow initialises its devices

import numpy as np  # noqa: E402

from lmtutor import datasets, lm, lstm_lm  # noqa: E402

from notebooks import speed_line  # noqa: E402  (benchmarks/notebooks.py, this script's folder)

CONFIG = {"embedding_dim": 16, "hidden_size": 32}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    print(speed_line(), flush=True)
    corpus = datasets.lm_corpus("lee_chars")
    data = tuple(x[:args.windows] for x in corpus.windows(32))
    config = lstm_lm.LSTMLMConfig(vocab_size=len(corpus.vocab), seed=0, **CONFIG)
    updates = args.epochs * -(-args.windows // args.batch)
    rows = []

    def record(name: str, seconds: float, losses: list, total: float | None = None) -> None:
        rows.append((name, seconds, losses[-1], total))
        print(f"{name}: {1000 * seconds / updates:.1f} ms per step, final loss {losses[-1]:.6f}", flush=True)

    model = lstm_lm.build_lstm_lm(config)
    start = time.perf_counter()
    losses = lm.train(model, data, epochs=args.epochs, batch_size=args.batch, verbose=False)["loss"]
    record("one device, lm.train (fit)", time.perf_counter() - start, losses)
    for devices in (1, 2, 4):
        strategy = distribute.mirrored(devices)
        for how in ("lm.train (fit)", "custom step"):
            with strategy.scope():
                model = lstm_lm.build_lstm_lm(config)
            start = time.perf_counter()
            if how == "custom step":
                losses = distribute.fit_distributed(model, data, strategy=strategy, epochs=args.epochs,
                                                    global_batch_size=args.batch)["loss"]
            else:
                losses = lm.train(model, data, epochs=args.epochs, batch_size=args.batch, verbose=False)["loss"]
            record(f"MirroredStrategy, {devices} logical CPU(s), {how}", time.perf_counter() - start, losses)
    spec = {"corpus": "lee_chars", "seq_len": 32, "windows": args.windows, "config": CONFIG,
            "epochs": args.epochs, "global_batch_size": args.batch}
    result = distribute.run_workers(spec, workers=2)
    record("2 workers (MultiWorkerMirroredStrategy), custom step", result["train_seconds"], result["loss"],
           result["seconds"])
    print(speed_line())
    first = rows[0][1]
    print(f"\n{updates} updates of global batch {args.batch} ({args.windows} windows x {args.epochs} epochs)\n")
    print("| run | step time (ms) | vs one device | final loss | wall time incl. start-up (s) |\n|---|---|---|---|---|")
    for name, seconds, loss, total in rows:
        print(f"| {name} | {1000 * seconds / updates:.1f} | {seconds / first:.1f}x | {loss:.6f} | "
              f"{'' if total is None else f'{total:.0f}'} |")
    spread = max(abs(loss - rows[0][2]) for _, _, loss, _ in rows)
    print(f"\nlargest final-loss difference from one device: {spread:.1e}")


if __name__ == "__main__":
    main()
