"""Stateful generation against re-encoding the prefix: tokens per second for a character LSTM.

The model is ``lstm_lm.build_lstm_lm`` at the size of a real character model (vocabulary 60,
embedding 32, hidden 256) with its random initial weights: the cost of a step does not depend on
the values of the weights, so no training is needed to time it. Two ways to produce n tokens:

- stateful: ``generate.generate`` over ``lstm_lm.LSTMStepper``, the prompt read once, then one
  float64 NumPy LSTM step per token (O(n));
- re-encoding: ``generate.generate_reencoding(..., use_keras=True)``, which runs the Keras model
  (``predict_on_batch``) over the whole prefix for every token, as the seed's generate_text does
  (O(n²)); notebook 07 re-encodes with the NumPy stepper instead, to time the algorithm alone.

Both sample with the same seed, so they produce the same tokens (checked and printed). The goal:
at least 20x at 500 tokens, and a roughly flat time per token on the stateful path. Prints a
markdown table; never fails on a time::

    python benchmarks/generation.py                          # 100, 200, 500, 1000 tokens
    python benchmarks/generation.py --lengths 100 200 --repeats 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from lmtutor import generate, lstm_lm  # noqa: E402
from lmtutor.text import Vocab  # noqa: E402


def timed(function, repeats: int) -> tuple[list[int], float]:
    """Return (the ids of the last run, median seconds over ``repeats`` runs)."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        ids = function()
        seconds.append(time.perf_counter() - start)
    return ids, statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[100, 200, 500, 1000])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the stateful path (median)")
    parser.add_argument("--reencoding-repeats", type=int, default=1, help="runs of the re-encoding path")
    parser.add_argument("--hidden-size", type=int, default=256)
    args = parser.parse_args()
    config = lstm_lm.LSTMLMConfig(vocab_size=60, embedding_dim=32, hidden_size=args.hidden_size)
    stepper = lstm_lm.LSTMStepper(lstm_lm.build_lstm_lm(config))
    prompt = [Vocab.bos_id, 10, 11, 12, 13]
    for length in (1, 2, 3, 50):  # trace the Keras predict function before timing it
        stepper.full_logits(prompt[:1] * length)
    print(f"model: vocab {config.vocab_size}, embedding {config.embedding_dim}, hidden {config.hidden_size} "
          f"(random weights); prompt of {len(prompt)} ids; sampling at temperature 1, seed 0; "
          f"stateful runs: median of {args.repeats}, re-encoding: median of {args.reencoding_repeats}\n")
    rows = []
    for n in args.lengths:
        kwargs = dict(max_tokens=n, seed=0, stop_id=None)  # never stop early: exactly n tokens
        fast_ids, fast = timed(lambda: generate.generate(stepper, prompt, **kwargs), args.repeats)
        slow_ids, slow = timed(lambda: generate.generate_reencoding(stepper, prompt, use_keras=True, **kwargs),
                               args.reencoding_repeats)
        rows.append((n, fast, slow, fast_ids == slow_ids))
        print(f"{n} tokens done", flush=True)
    print("\n| tokens | stateful s | stateful tokens/s | stateful ms/token | re-encoding s "
          "| re-encoding tokens/s | re-encoding ms/token | speed-up | same tokens |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, fast, slow, same in rows:
        print(f"| {n} | {fast:.3f} | {n / fast:,.0f} | {1000 * fast / n:.3f} | {slow:.2f} | {n / slow:,.0f} "
              f"| {1000 * slow / n:.2f} | {slow / fast:.0f}x | {'yes' if same else 'no'} |")
    by_length = {n: (fast, slow) for n, fast, slow, _ in rows}
    if 500 in by_length:
        ratio = by_length[500][1] / by_length[500][0]
        print(f"\nspeed-up at 500 tokens: {ratio:.0f}x (goal >= 20x: {'met' if ratio >= 20 else 'NOT met'})")
    per_token = [1000 * fast / n for n, fast, _, _ in rows]
    print(f"stateful ms/token from {min(per_token):.3f} to {max(per_token):.3f} "
          f"(max/min {max(per_token) / min(per_token):.2f}; flat means close to 1)")


if __name__ == "__main__":
    main()
