"""The course assistant of notebook 12: three retrievers on held-out paraphrases and out-of-scope questions.

Issue 15's goals, on the test questions of ``data/dialogue`` (54 paraphrases and 15 out-of-scope
questions per language, written after every training phrasing):

- held-out paraphrase top-1 >= 90% in each language;
- >= 90% of out-of-scope questions declined at the threshold chosen on validation
  (``retrieval.choose_threshold``: the most right decisions, a right answer or a declined
  out-of-scope question, on the validation questions).

Retrievers (``lmtutor.dialogue``), as notebook 12 builds them: TF-IDF (features of
``retrieval.features``, cosine to each entry's centroid); averaged skip-gram vectors trained on the
FAQ text (``embeddings.train_sgns``, vector size 32, window 3, --sgns-epochs); the trained encoder
(``dialogue.build_encoder``, dim 64, Adam 0.01, batches of 32, --encoder-epochs, one run per
--seeds). The machine's speed (benchmarks/notebooks.py) is printed before and after::

    python benchmarks/dialogue.py                                  # the notebook's settings
    python benchmarks/dialogue.py --sgns-epochs 200 --encoder-epochs 40 --seeds 0 1 2

Prints a markdown table and whether each goal is met; never fails on a time or a score.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from lmtutor import quiet_tensorflow  # noqa: E402

quiet_tensorflow()

import numpy as np  # noqa: E402

from lmtutor import dialogue, dialogue_data, embeddings, lm, retrieval, text  # noqa: E402
from notebooks import speed_line  # noqa: E402  (benchmarks/notebooks.py, this script's folder)

GOAL = 0.90


def evaluate(name: str, retriever, faq, valid, test, seconds: float) -> dict:
    """Return the row of one retriever: test top-1 / MRR per language, threshold, test decisions."""
    v, t = (dialogue.score_questions(retriever, faq, qs) for qs in (valid, test))
    threshold = retrieval.choose_threshold(v.confidence, v.correct, v.in_scope)
    curve = retrieval.rejection_curve(v.confidence, v.correct, v.in_scope)
    valid_decisions = curve.accuracy[list(curve.thresholds).index(threshold)]
    answered, precision, declined = retrieval.rejection_at(t.confidence, t.correct, t.in_scope, threshold)
    answer = t.confidence >= threshold
    return {"retriever": name, "seconds": seconds, "valid en": v.ranking("en")[0], "valid zh": v.ranking("zh")[0],
            "test en": t.ranking("en")[0], "test zh": t.ranking("zh")[0], "MRR en": t.ranking("en")[1],
            "MRR zh": t.ranking("zh")[1], "threshold": threshold, "valid right decisions": valid_decisions, "in scope answered": answer[t.in_scope].mean(),
            "precision": precision, "out of scope declined": declined,
            "right decisions": ((answer & t.correct) | (~answer & ~t.in_scope)).mean()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sgns-epochs", type=int, default=50)
    parser.add_argument("--encoder-epochs", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    print(speed_line() + " (before)", flush=True)
    faq = dialogue_data.load_faq()
    valid, test = dialogue_data.load_questions("valid"), dialogue_data.load_questions("test")
    documents, labels = faq.documents()
    rows = []

    start = time.perf_counter()
    rows.append(evaluate("TF-IDF", dialogue.TfidfRetriever(faq), faq, valid, test, time.perf_counter() - start))

    for seed in args.seeds:
        start = time.perf_counter()
        sentences = [retrieval.features(d, drop_stopwords=False) for d in documents]
        sgns = embeddings.train_sgns(sentences, embeddings.SGNSConfig(
            vector_size=32, window=3, min_count=1, sample=0.0, epochs=args.sgns_epochs, batch_size=256, alpha=0.05, seed=seed))
        vectors = dialogue.VectorRetriever(faq, sgns.embeddings.words, sgns.embeddings.vectors)
        rows.append(evaluate(f"word vectors, {args.sgns_epochs} epochs, seed {seed}", vectors, faq, valid, test,
                             time.perf_counter() - start))

        start = time.perf_counter()
        vocab = text.Vocab.build([retrieval.features(d) for d in documents])
        model = dialogue.build_encoder(len(vocab), len(faq.entries), dim=64, seed=seed)
        lm.train(model, (dialogue.question_ids(documents, vocab), np.array(labels)), epochs=args.encoder_epochs,
                 batch_size=32, seed=seed, verbose=False)
        rows.append(evaluate(f"encoder, {args.encoder_epochs} epochs, seed {seed}", dialogue.EncoderRetriever(model, vocab),
                             faq, valid, test, time.perf_counter() - start))
        print(f"seed {seed} done", flush=True)

    columns = list(rows[0])
    print("\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(row[c] if isinstance(row[c], str) else f"{row[c]:.3f}" for c in columns) + " |")
    print()
    for row in rows:
        top1 = min(row["test en"], row["test zh"]) >= GOAL
        declined = row["out of scope declined"] >= GOAL
        print(f"{row['retriever']}: top-1 >= 90% in each language: {'met' if top1 else 'not met'}; "
              f">= 90% out of scope declined at the validation threshold: {'met' if declined else 'not met'}")
    print(speed_line() + " (after)")


if __name__ == "__main__":
    main()
