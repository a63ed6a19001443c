"""Our NumPy skip-gram (SGNS) against gensim's Word2Vec: same corpus, same settings, several seeds.

Both train on the Wikipedia excerpt gensim ships (106 articles, ~453k tokens) with the same
hyperparameters (skip-gram, negative sampling, subsampling, linear learning-rate decay; gensim
with workers=1 so both use one core) and are scored with lmtutor.evaluation (equal to gensim's
evaluate_* by the tests). The goal: Spearman ρ within 0.05 of gensim at no more than 10x its
time. Prints a markdown table, one row per (model, seed), and a summary; never fails on a time::

    python benchmarks/embeddings.py                       # seeds 0 1 2, 5 epochs
    python benchmarks/embeddings.py --seeds 0 --epochs 1  # a quick look
"""

from __future__ import annotations

import argparse
import statistics
import time

from lmtutor import corpora, evaluation
from lmtutor.embeddings import SGNSConfig, train_sgns


def run_gensim(sentences, config: SGNSConfig):
    """Return (KeyedVectors, seconds) of gensim's skip-gram with the settings of ``config``."""
    from gensim.models import Word2Vec

    start = time.perf_counter()
    model = Word2Vec(sentences, sg=1, hs=0, vector_size=config.vector_size, window=config.window,
                     negative=config.negative, min_count=config.min_count, sample=config.sample,
                     epochs=config.epochs, alpha=config.alpha, min_alpha=config.min_alpha,
                     ns_exponent=config.ns_exponent, seed=config.seed, workers=1)
    return model.wv, time.perf_counter() - start


def scores(vectors) -> dict:
    """Return WordSim353 ρ, SimLex ρ and analogy accuracy of ``vectors``."""
    return {"ws353": evaluation.evaluate_word_pairs(vectors, "wordsim353").spearman,
            "simlex": evaluation.evaluate_word_pairs(vectors, "simlex999").spearman,
            "analogy": evaluation.evaluate_analogies(vectors).accuracy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--vector-size", type=int, default=50)
    args = parser.parse_args()
    sentences = corpora.load_enwiki()
    print(f"corpus: enwiki, {len(sentences)} articles, {sum(map(len, sentences)):,} tokens")
    rows = []
    for seed in args.seeds:
        config = SGNSConfig(vector_size=args.vector_size, epochs=args.epochs, seed=seed)
        keyed, gensim_seconds = run_gensim(sentences, config)
        rows.append(("gensim", seed, scores(keyed), gensim_seconds))
        ours = train_sgns(sentences, config)
        rows.append(("lmtutor", seed, scores(ours.embeddings), ours.seconds))
        print(f"seed {seed} done", flush=True)
    c = SGNSConfig(vector_size=args.vector_size, epochs=args.epochs)
    print(f"\nsettings: vector_size={c.vector_size} window={c.window} negative={c.negative} "
          f"min_count={c.min_count} sample={c.sample} epochs={c.epochs} alpha={c.alpha}->"
          f"{c.min_alpha}; lmtutor batch_size={c.batch_size}; gensim workers=1\n")
    print("| model | seed | WordSim353 ρ | SimLex-999 ρ | analogy acc. | seconds |")
    print("|---|---|---|---|---|---|")
    for model, seed, s, seconds in rows:
        print(f"| {model} | {seed} | {s['ws353']:.3f} | {s['simlex']:.3f} | {s['analogy']:.3f} "
              f"| {seconds:.1f} |")
    mean = {m: {k: statistics.mean(r[2][k] for r in rows if r[0] == m)
                for k in ("ws353", "simlex", "analogy")} for m in ("gensim", "lmtutor")}
    secs = {m: statistics.mean(r[3] for r in rows if r[0] == m) for m in ("gensim", "lmtutor")}
    gap = max(abs(mean["gensim"][k] - mean["lmtutor"][k]) for k in ("ws353", "simlex"))
    ratio = secs["lmtutor"] / secs["gensim"]
    print(f"\nmean ρ gap (worst of WordSim353, SimLex): {gap:.3f} (goal ≤ 0.05: "
          f"{'met' if gap <= 0.05 else 'NOT met'}); time ratio lmtutor/gensim: {ratio:.1f}x "
          f"(goal ≤ 10x: {'met' if ratio <= 10 else 'NOT met'})")


if __name__ == "__main__":
    main()
