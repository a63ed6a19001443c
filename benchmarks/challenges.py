"""Notebook 14's measurements over several seeds: canary exposure (with and without deduplication) and WEAT.

The notebook trains each model once (seed 0) and asserts claims with margins; this script reruns
the same recipes with other seeds to show how far the numbers move:

- **exposure**: notebook 14's memorisation recipe (the first quarter of the Lee training articles,
  canaries "my pin is d d d d d" planted 1, 5, 25 and 125 times, a 128-unit character LSTM trained
  through ``lm.train`` for --epochs epochs, batches of 64 windows of 50, Adam's step size 0.02), per
  seed: the exposure of each canary (``memorisation.exposure`` over all 10^5 secrets) after training
  on every copy (after --epochs and after --fewer epochs) and after ``memorisation.deduplicate``,
  the validation bits per character and the greedy completion of "my pin is ". The seed sets the
  canaries' places and the model's initial weights;
- **WEAT**: gensim skip-gram on the Wikipedia excerpt (notebook 02's settings) and on People's
  Daily, per seed: d and p of the tests the vocabulary covers (``bias.weat``).

The machine's speed (benchmarks/notebooks.py, TensorFlow fp32 matmul) is printed before and after::

    nice -n 10 python benchmarks/challenges.py                   # 3 seeds, both parts
    python benchmarks/challenges.py --seeds 0 1 2 3 4 --parts exposure --epochs 5 --fewer 2

Prints markdown tables; never fails on a time or a score.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from lmtutor import quiet_tensorflow  # noqa: E402

quiet_tensorflow()

import numpy as np  # noqa: E402

from lmtutor import bias, corpora, datasets, generate, lm, lstm_lm, memorisation, text  # noqa: E402
from lmtutor.decoding import DecodingConfig  # noqa: E402

from notebooks import speed_line  # noqa: E402  (benchmarks/notebooks.py, this script's folder)

DATA = Path(__file__).resolve().parents[1] / "data" / "weat"
PREFIX = "my pin is"
SECRETS = {1: [4, 8, 1, 5, 9], 5: [2, 7, 0, 3, 6], 25: [9, 1, 6, 2, 8], 125: [3, 5, 0, 7, 2]}
WINDOW, BATCH, LEARNING_RATE = 50, 64, 0.02  # notebook 14's settings


def exposure_run(seed: int, epochs: int, fewer: int) -> list[list]:
    """Return table rows (training, epochs, seed, valid bits, exposure per canary, the greedy completion of
    the prefix, training seconds) for one seed:
    every copy after ``epochs`` and after ``fewer`` epochs (the same run), deduplicated after ``epochs``."""
    lee = datasets.lm_corpus("lee_chars")
    train = corpora.split_sequential(corpora.load_lee(), (0.8, 0.1, 0.1)).train
    planted = train[:len(train) // 4]
    for i, (times, digits) in enumerate(SECRETS.items()):
        planted = memorisation.plant(planted, f"{PREFIX} {' '.join(map(str, digits))}", times, seed=seed + i)
    space = lee.vocab.stoi[" "]
    prefix, digit_ids = lee.encode(PREFIX) + [space], [lee.vocab.stoi[str(d)] for d in range(10)]
    rows = []
    for name, docs in (("all copies", planted), ("deduplicated", memorisation.deduplicate(planted))):
        stream = [i for d in docs for i in (text.Vocab.bos_id, *lee.vocab.encode(lee.recipe.tokens(d)), text.Vocab.eos_id)]
        inputs, targets = text.lm_windows(np.array(stream), WINDOW)
        model = lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=len(lee.vocab), hidden_size=128,
                                                           learning_rate=LEARNING_RATE, seed=seed))
        seconds = 0.0
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            lm.train(model, (inputs.astype(np.int32), targets.astype(np.int32)), epochs=1, batch_size=BATCH,
                     seed=seed + epoch, verbose=False)
            seconds += time.perf_counter() - start  # training only, not the measurements
            if epoch == epochs or (epoch == fewer and name == "all copies"):
                scores = memorisation.secret_log_probs(model, prefix, digit_ids, 5, separator_id=space)
                bits = lm.evaluate_documents(model, lee.ids("valid"), batch_size=32)["bits_per_token"]
                greedy = lee.decode(generate.generate(lstm_lm.LSTMStepper(model), prefix, max_tokens=9,
                                                      config=DecodingConfig(greedy=True), stop_id=None))
                rows.append([name, epoch, seed, f"{bits:.3f}",
                             *(f"{memorisation.exposure(scores, memorisation.secret_index(d)):.2f}"
                               for d in SECRETS.values()), f"`{greedy}`", f"{seconds:.0f}"])
                print(" | ".join(map(str, rows[-1])), flush=True)
    return rows


def weat_run(seed: int) -> list[list]:
    """Return table rows (corpus, seed, test, d, p) for the tests each vocabulary covers."""
    from gensim.models import Word2Vec

    english = json.loads((DATA / "caliskan2017.json").read_text(encoding="utf-8"))["tests"]
    chinese = json.loads((DATA / "zh_course.json").read_text(encoding="utf-8"))
    articles = corpora.load_enwiki()
    pieces = [a[i:i + 10_000] for a in articles for i in range(0, len(a), 10_000)]
    en = Word2Vec(pieces, sg=1, vector_size=50, window=5, negative=5, min_count=5, sample=1e-4, epochs=3,
                  alpha=0.1, min_alpha=1e-4, seed=seed, workers=1).wv
    zh_sentences = [[w for w, _ in line] for line in corpora.load_peoples_daily()]
    zh = Word2Vec(zh_sentences, sg=1, vector_size=50, window=5, negative=5, min_count=5, sample=1e-4, alpha=0.1,
                  epochs=1, seed=seed, workers=1).wv
    tests = [("en", key, en, [t[r]["words"] for r in "XYAB"], True) for key, t in english.items()]
    tests += [("zh", key, zh, [chinese["sets"][roles[r]]["words"] for r in "XYAB"], False)
              for key, roles in chinese["tests"].items()]
    rows = []
    for corpus, key, vectors, sets, lowercase in tests:
        try:
            result = bias.weat(vectors, *sets, lowercase=lowercase, seed=seed)
        except ValueError:
            continue  # a set the vocabulary does not cover
        rows.append([corpus, seed, key, f"{result.effect_size:+.2f}", f"{result.p_value:.3f}"])
    return rows


def table(header: list[str], rows: list[list]) -> str:
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                     + ["| " + " | ".join(map(str, row)) + " |" for row in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--fewer", type=int, default=2, help="also measure every copy after this many epochs")
    parser.add_argument("--parts", nargs="+", choices=("exposure", "weat"), default=["exposure", "weat"])
    args = parser.parse_args()
    print(speed_line(), flush=True)
    if "exposure" in args.parts:
        rows = [row for seed in args.seeds for row in exposure_run(seed, args.epochs, args.fewer)]
        print("\n" + table(["training", "epochs", "seed", "valid bits/char", *(f"exposure {t}x" for t in SECRETS),
                            "greedy after the prefix", "training s"], rows))
    if "weat" in args.parts:
        rows = [row for seed in args.seeds for row in weat_run(seed)]
        print("\n" + table(["corpus", "seed", "test", "d", "p"], rows))
    print("\n" + speed_line())


if __name__ == "__main__":
    main()
