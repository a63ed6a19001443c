"""The Transformer language model: KV-cache generation speed, and LSTM vs Transformer in equal time.

Part 1, generation. A model of course size (``transformer.TransformerConfig``: vocabulary 57,
d_model 128, 4 heads, 4 blocks, context 1024) with its random initial weights (a step's cost does
not depend on the weights' values, so no training is needed to time it) produces n tokens three
ways, all through ``lmtutor.generate`` with the same seed (so the same tokens, checked):

- KV cache: ``generate.generate`` over ``transformer.TransformerStepper``, prompt read once, then
  one NumPy float64 position per token that attends to the cached keys and values;
- recompute, NumPy: the same float64 arithmetic re-encoding the whole prefix for every token;
- recompute, Keras: ``generate.generate_reencoding``, ``predict_on_batch`` on the whole prefix.

Part 2, equal wall-clock budget. The character-level Lee corpus as notebook 01 builds it
(``datasets.lm_corpus("lee_chars")``: lowercased, spaces kept, vocabulary min_freq=2 on the training
documents, each document framed <bos> ... <eos>) is cut into windows of 64 characters (``--seq-len``);
an LSTM (``lstm_lm.build_lstm_lm``) and a Transformer of about the same parameter count train on the
same windows (batches of 16, ``--batch-size``; Adam, clipping at global norm 1) with ``lm.train``
until the budget is spent (the budget includes Keras's tracing). Validation bits per character:
``lm.evaluate_documents``, which reads whole documents from <bos> for the LSTM and windows of the
context length, half overlapping, for the Transformer (it cannot read further back).

Prints markdown tables; never fails on a time. NumPy runs with one OpenBLAS thread (see below)::

    python benchmarks/transformer.py                        # lengths 100 200 500 1000; budgets 60 180
    python benchmarks/transformer.py --lengths 100 200 --budgets 20   # a quick look
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# One OpenBLAS thread for NumPy: on a loaded 2-core machine its threads spin against TensorFlow's
# and other jobs' (100 NumPy forward passes of 1 ... 100 tokens took 29 s with OpenBLAS's default
# threads and 0.54 s with one); set OPENBLAS_NUM_THREADS yourself to compare.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from lmtutor import datasets, generate, lm, lstm_lm, transformer  # noqa: E402
from lmtutor.text import Vocab  # noqa: E402

from generation import timed  # noqa: E402  (benchmarks/generation.py: this script's folder is on sys.path)


# ------------------------------------------------------------------------------- part 1: cache
class NumpyRecompute(transformer.TransformerStepper):
    """The stepper whose full_logits re-encodes the prefix in NumPy: recompute without Keras."""

    def full_logits(self, ids):
        return transformer.forward(self.weights, [list(ids)])[0]


def cache_benchmark(lengths: list[int], repeats: int, layers: int) -> None:
    config = transformer.TransformerConfig(vocab_size=57, context=1024, d_model=128, heads=4, layers=layers)
    model = transformer.build_transformer_lm(config)
    cached, numpy_full = transformer.TransformerStepper(model), NumpyRecompute(model)
    prompt = [Vocab.bos_id]
    for length in (1, 2, 3, 50):  # trace the Keras predict function before timing it
        cached.full_logits(prompt * length)
    print(f"## KV cache vs recompute\n\nmodel: vocab {config.vocab_size}, d_model {config.d_model}, "
          f"{config.heads} heads, {config.layers} blocks, context {config.context}, "
          f"{model.count_params():,} parameters, random weights; prompt <bos>; sampling at temperature 1, "
          f"seed 0; KV cache: median of {repeats} runs, recompute: 1 run\n", flush=True)
    rows = []
    for n in lengths:
        kwargs = dict(max_tokens=n, seed=0, stop_id=None)  # never stop early: exactly n tokens
        cache_ids, cache_s = timed(lambda: generate.generate(cached, prompt, **kwargs), repeats)
        numpy_ids, numpy_s = timed(lambda: generate.generate_reencoding(numpy_full, prompt, use_keras=True, **kwargs), 1)
        keras_ids, keras_s = timed(lambda: generate.generate_reencoding(cached, prompt, use_keras=True, **kwargs), 1)
        rows.append((n, cache_s, numpy_s, keras_s, cache_ids == numpy_ids == keras_ids))
        print(f"{n} tokens done", flush=True)
    print("\n| tokens | KV cache s | KV cache tokens/s | recompute NumPy s | tokens/s | speed-up "
          "| recompute Keras s | tokens/s | speed-up | same tokens |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, cache_s, numpy_s, keras_s, same in rows:
        print(f"| {n} | {cache_s:.2f} | {n / cache_s:,.0f} | {numpy_s:.2f} | {n / numpy_s:,.0f} "
              f"| {numpy_s / cache_s:.1f}x | {keras_s:.2f} | {n / keras_s:,.0f} | {keras_s / cache_s:.1f}x "
              f"| {'yes' if same else 'no'} |")
    per_token = [1000 * cache_s / n for n, cache_s, *_ in rows]
    print(f"\nKV cache ms/token from {min(per_token):.2f} to {max(per_token):.2f} "
          f"(a step at position t costs O(t·d) attention plus O(d²) projections per block)\n")


# -------------------------------------------------------------------------- part 2: equal time
def train_for(model: keras.Model, data: tuple, seconds: float, batch_size: int) -> dict:
    """Return steps, epochs, seconds and the training loss (nats, the last epoch's mean) after ``seconds``.

    ``lm.train`` with a time budget (the course's one training loop; it stops after the batch that
    spends the budget), for as many epochs as fit.
    """
    steps_before = int(model.optimizer.iterations)
    history = lm.train(model, data, epochs=10**6, batch_size=batch_size, max_seconds=seconds, verbose=False)
    steps = int(model.optimizer.iterations) - steps_before
    steps_per_epoch = math.ceil(len(data[0]) / batch_size)
    return {"steps": steps, "epochs": steps / steps_per_epoch, "seconds": history["seconds"][-1],
            "loss": history["loss"][-1]}


def budget_benchmark(budgets: list[float], seq_len: int, hidden_size: int, transformer_lr: float,
                     batch_size: int) -> None:
    lee = datasets.lm_corpus("lee_chars")
    vocab, stream, valid = lee.vocab, lee.stream("train"), lee.ids("valid")
    data = lee.windows(seq_len)
    builders = {
        "LSTM": lambda: lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(
            vocab_size=len(vocab), embedding_dim=32, hidden_size=hidden_size)),
        "Transformer": lambda: transformer.build_transformer_lm(transformer.TransformerConfig(
            vocab_size=len(vocab), context=seq_len, d_model=64, heads=4, layers=2,
            learning_rate=transformer_lr)),
    }
    print(f"## LSTM vs Transformer in the same wall-clock budget\n\nLee characters: vocabulary "
          f"{len(vocab)}, {len(stream):,} training ids -> {len(data[0]):,} windows of {seq_len}; "
          f"{sum(map(len, valid)) + len(valid):,} validation targets in {len(valid)} documents; "
          f"batch {batch_size}\nLSTM: embedding 32, hidden {hidden_size}, Adam 0.01 (LSTMLMConfig "
          f"default); Transformer: d_model 64, 4 heads, 2 blocks, MLP 256, context {seq_len}, tied "
          f"output, learned positions, Adam {transformer_lr}\n", flush=True)
    rows = []
    for budget in budgets:
        for name, build in builders.items():
            model = build()
            run = train_for(model, data, budget, batch_size)
            start = time.perf_counter()
            score = lm.evaluate_documents(model, valid)  # the Transformer in windows, stride seq_len // 2
            rows.append((budget, name, model.count_params(), run, score["bits_per_token"],
                         time.perf_counter() - start))
            print(f"{name} {budget:g} s done: {score['bits_per_token']:.3f} bits/char", flush=True)
    print("\n| budget s | model | parameters | trained s | steps | epochs | train bits/char "
          "| valid bits/char | scoring s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for budget, name, params, run, bits, scoring in rows:
        print(f"| {budget:g} | {name} | {params:,} | {run['seconds']:.1f} | {run['steps']:,} "
              f"| {run['epochs']:.2f} | {run['loss'] / math.log(2):.3f} | {bits:.3f} | {scoring:.1f} |")
    print("\ntrain bits/char: mean over the last (partial) epoch's batches, model in training mode")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[100, 200, 500, 1000])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the KV-cache path (median)")
    parser.add_argument("--layers", type=int, default=4, help="blocks of the part-1 model")
    parser.add_argument("--budgets", type=float, nargs="+", default=[60, 180], help="seconds of training")
    parser.add_argument("--seq-len", type=int, default=64, help="window length (64 with batches of 16 "
                        "suited short budgets best in probes: 2.92 vs 3.60 bits for 128 x 64 at 20 s)")
    parser.add_argument("--hidden-size", type=int, default=144, help="LSTM units (144: about the "
                        "Transformer's parameter count)")
    parser.add_argument("--transformer-lr", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--skip", choices=["cache", "budget"], help="leave one part out")
    args = parser.parse_args()
    if args.skip != "cache":
        cache_benchmark(args.lengths, args.repeats, args.layers)
    if args.skip != "budget":
        budget_benchmark(args.budgets, args.seq_len, args.hidden_size, args.transformer_lr, args.batch_size)


if __name__ == "__main__":
    main()
