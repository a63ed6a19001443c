"""Our NumPy skip-gram (SGNS) against gensim's Word2Vec: same corpus, same settings, several seeds.

Both train on the Wikipedia excerpt gensim ships (106 articles, ~453k tokens) with the same
hyperparameters (skip-gram, negative sampling, subsampling, linear learning-rate decay; gensim
with workers=1 so both use one core) and are scored with lmtutor.evaluation (equal to gensim's
evaluate_* by the tests). gensim's word2vec reads at most 10,000 words of a sentence (counted
after subsampling) and drops the rest; 10 articles have more tokens than that, so both get the
articles cut into pieces of at most 10,000 tokens.

The two still go through the pairs differently: gensim updates after every (centre, context)
pair, in text order; ours shuffles the pairs of each epoch and updates once per batch of 1,024.
"lmtutor, text order" (``SGNSConfig(shuffle=False)``) is ours without the shuffle (still
batched), to show what the order is worth. The goal: Spearman ρ within 0.05 of
gensim at no more than 10x its time. Prints a markdown table, one row per (model, seed), and a
summary; never fails on a time::

    python benchmarks/embeddings.py                           # seeds 0 1 2, 5 epochs, defaults
    python benchmarks/embeddings.py --epochs 3 --alpha 0.1 --sample 1e-4  # notebook 02's settings
    python benchmarks/embeddings.py --seeds 0 --epochs 1      # a quick look
"""

from __future__ import annotations

import argparse
import statistics
import time

from lmtutor import corpora, evaluation
from lmtutor.embeddings import SGNSConfig, train_sgns

PIECE = 10_000  # gensim's word2vec truncates longer sentences (MAX_WORDS_IN_BATCH)


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


MODELS = ("gensim", "lmtutor", "lmtutor, text order")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--vector-size", type=int, default=50)
    parser.add_argument("--alpha", type=float, default=SGNSConfig.alpha, help="initial learning rate")
    parser.add_argument("--sample", type=float, default=SGNSConfig.sample, help="subsampling threshold")
    args = parser.parse_args()
    articles = corpora.load_enwiki()
    sentences = [a[i:i + PIECE] for a in articles for i in range(0, len(a), PIECE)]
    print(f"corpus: enwiki, {len(articles)} articles in {len(sentences)} pieces of at most "
          f"{PIECE:,} tokens, {sum(map(len, sentences)):,} tokens")
    settings = dict(vector_size=args.vector_size, epochs=args.epochs, alpha=args.alpha, sample=args.sample)
    rows = []
    for seed in args.seeds:
        config = SGNSConfig(**settings, seed=seed)
        keyed, gensim_seconds = run_gensim(sentences, config)
        rows.append(("gensim", seed, scores(keyed), gensim_seconds))
        ours = train_sgns(sentences, config)
        rows.append(("lmtutor", seed, scores(ours.embeddings), ours.seconds))
        ordered = train_sgns(sentences, SGNSConfig(**settings, seed=seed, shuffle=False))
        rows.append(("lmtutor, text order", seed, scores(ordered.embeddings), ordered.seconds))
        print(f"seed {seed} done", flush=True)
    c = SGNSConfig(**settings)
    print(f"\nsettings: vector_size={c.vector_size} window={c.window} negative={c.negative} "
          f"min_count={c.min_count} sample={c.sample} epochs={c.epochs} alpha={c.alpha}->"
          f"{c.min_alpha}; lmtutor batch_size={c.batch_size}; gensim workers=1\n")
    print("| model | seed | WordSim353 ρ | SimLex-999 ρ | analogy acc. | seconds |")
    print("|---|---|---|---|---|---|")
    for model, seed, s, seconds in rows:
        print(f"| {model} | {seed} | {s['ws353']:.3f} | {s['simlex']:.3f} | {s['analogy']:.3f} "
              f"| {seconds:.1f} |")
    mean = {m: {k: statistics.mean(r[2][k] for r in rows if r[0] == m)
                for k in ("ws353", "simlex", "analogy")} for m in MODELS}
    secs = {m: statistics.mean(r[3] for r in rows if r[0] == m) for m in MODELS}
    print()
    for m in MODELS:
        print(f"mean of {len(args.seeds)} seeds, {m}: WordSim353 ρ {mean[m]['ws353']:.3f}, SimLex ρ "
              f"{mean[m]['simlex']:.3f}, analogy {mean[m]['analogy']:.3f}, {secs[m]:.1f} s")
    for m in MODELS[1:]:
        gap = {k: mean[m][k] - mean["gensim"][k] for k in ("ws353", "simlex")}
        worst = max(abs(g) for g in gap.values())
        ratio = secs[m] / secs["gensim"]
        not_worse = min(gap.values()) >= -0.05
        print(f"{m} − gensim: WordSim353 ρ {gap['ws353']:+.3f}, SimLex ρ {gap['simlex']:+.3f} "
              f"(goal |gap| ≤ 0.05: {'met' if worst <= 0.05 else 'NOT met'}; no more than 0.05 "
              f"below: {'yes' if not_worse else 'no'}); time ratio {ratio:.1f}x (goal ≤ 10x: "
              f"{'met' if ratio <= 10 else 'NOT met'})")


if __name__ == "__main__":
    main()
