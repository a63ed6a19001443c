"""Sentiment (notebook 11): baselines and neural classifiers on the cleaned, split reviews.

Issue 14's goals: on the Chinese reviews (``sentiment.load("zh")``: cleaned, de-duplicated by key,
80 / 10 / 10, no text in two splits) a neural model reaches >= 86% test accuracy within <= 60 s of
training (2 cores, normal machine speed); English (``sentiment.load("en")``, the Rotten Tomatoes
snippets) is reported against its n-gram logistic-regression baseline. Baselines: the course's
lexicon (no training), naive Bayes (``sentiment.NaiveBayes``, unigrams + bigrams, alpha 1), TF-IDF
n-gram logistic regression (``classify.NgramClassifier``, 1-2-grams). Neural: ``classify``'s
embedding bag over characters / words, the bag over characters and character bigrams (features of
``sentiment.features`` seen twice in training), the BiLSTM (hidden 32 per direction), each trained
through ``lm.train`` for --epochs epochs, batches of 64, Adam 0.005; and the average of the
bigram bag's and logistic regression's probabilities (an ensemble). Training seconds include
Keras's tracing; read them against the machine's speed, printed before and after (other jobs on
the same cores slow training).

The Chinese n-gram bag (``classify.build_ngram_bag`` with ``sentiment.NGRAM_BAG``: characters,
bigrams and trigrams seen twice in training, 16-dimensional vectors pooled into [mean; max],
dropout 0.5, Adam 0.01 along a cosine to 0 over 5 epochs of batches of 128; --set changes a
setting, e.g. pooling=mean) is trained once per --seeds seed; the table gives each seed's
validation and test accuracy and its training seconds, wall and process CPU (the CPU seconds are
steadier on a shared machine), the mean of the probabilities of each run of --group consecutive
seeds (an average of bag models, what notebook 11 trains with TRAIN_LONGER: seeds 0 1 2) and the
average of the first bag's probabilities with logistic regression's (an ensemble with a neural
member). Its settings were chosen on validation accuracy; test accuracy is printed beside it, never
used to choose. The goal line judges the n-gram bag of the first seed and names the best test
accuracy of any neural model as well::

    nice -n 10 python benchmarks/sentiment.py                   # both languages, 1 epoch, seed 0
    python benchmarks/sentiment.py --languages zh --epochs 1 2 3 --seeds 0 1 2
    python benchmarks/sentiment.py --ngram-bag-only --seeds 0 1 2 3 4 5 6 7 8   # three averages of three bags
    python benchmarks/sentiment.py --ngram-bag-only --seeds 0 1 2 --set pooling=mean batch_size=64 learning_rate=0.005

Prints markdown tables; never fails on a time or a score.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from lmtutor import quiet_retracing, quiet_tensorflow  # noqa: E402

quiet_tensorflow()

import numpy as np  # noqa: E402

from lmtutor import classify, lm, sentiment, text  # noqa: E402

from notebooks import speed_line  # noqa: E402  (benchmarks/notebooks.py, this script's folder)

GOAL = 0.86  # Chinese test accuracy of a neural model trained for <= 60 s at normal machine speed
TRAINING_BUDGET = 60.0  # seconds of training at normal speed (150-276 GFLOP/s on the course's 2 cores)
MAX_LEN = 256  # characters read per Chinese review, as in notebook 11
BILSTM_LEN = 64  # the Chinese BiLSTM's width (notebook 11 reads 48 to stay within its minute)


def neural_runs(data, language: str, epochs: int, seed: int) -> dict[str, tuple[float, float, np.ndarray]]:
    """Return name -> (test accuracy, training seconds, test probabilities) of the neural models."""
    codec = classify.build_codec(data.train.texts, sentiment.RECIPES[language], min_freq=2)
    ids = {name: classify.encode_texts(codec, getattr(data, name).texts, max_len=MAX_LEN if language == "zh" else None)
           for name in ("train", "test")}
    runs = {"bag": (len(codec.vocab), ids, "bag"), "BiLSTM": (len(codec.vocab), (
        {k: v[:, :BILSTM_LEN] for k, v in ids.items()} if language == "zh" else ids), "bilstm")}
    if language == "zh":
        vocab = text.Vocab.build([sentiment.features(t, "zh") for t in data.train.texts], min_freq=2)
        grams = {name: sentiment.feature_ids(vocab, [sentiment.features(t, "zh") for t in getattr(data, name).texts],
                                             max_len=2 * MAX_LEN) for name in ("train", "test")}
        runs["bag + bigrams"] = (len(vocab), grams, "bag")
    out = {}
    for name, (size, inputs, encoder) in runs.items():
        model = classify.build_classifier(classify.ClassifierConfig(size, 2, encoder=encoder, embedding_dim=64,
                                                                    hidden_size=32, seed=seed))
        begin = time.perf_counter()
        with quiet_retracing():
            lm.train(model, (inputs["train"], data.train.labels), epochs=epochs, batch_size=64, seed=seed, verbose=False)
            seconds = time.perf_counter() - begin
            probs = classify.predict_proba(model, inputs["test"])
        out[name] = (classify.accuracy(data.test.labels, probs.argmax(axis=1)), seconds, probs)
    return out


def ngram_bag_runs(data, seeds: list[int], settings: dict) -> dict[int, tuple[np.ndarray, np.ndarray, float, float]]:
    """Return seed -> (valid probabilities, test probabilities, training wall seconds, training process CPU
    seconds) of the n-gram bag."""
    docs = {name: [sentiment.features(t, "zh", ngram_max=settings["ngram_max"]) for t in getattr(data, name).texts]
            for name in ("train", "valid", "test")}
    vocab = text.Vocab.build(docs["train"], min_freq=settings["min_freq"])
    ids = {name: sentiment.feature_ids(vocab, d, max_len=settings["ngram_max"] * MAX_LEN) for name, d in docs.items()}
    print(f"(n-gram bag: {len(vocab):,} features seen {settings['min_freq']}+ times in train, "
          f"rows {ids['train'].shape[1]} wide)", flush=True)
    out = {}
    for seed in seeds:
        steps = sentiment.cosine_steps(len(data.train.texts), epochs=settings["epochs"], batch_size=settings["batch_size"])
        model = classify.build_ngram_bag(len(vocab), embedding_dim=settings["embedding_dim"], dropout=settings["dropout"],
                                          learning_rate=settings["learning_rate"], decay_steps=steps, seed=seed,
                                          pooling=settings["pooling"])
        begin, cpu = time.perf_counter(), time.process_time()
        with quiet_retracing():
            lm.train(model, (ids["train"], data.train.labels), epochs=settings["epochs"],
                     batch_size=settings["batch_size"], seed=seed, verbose=False)
            seconds, cpu = time.perf_counter() - begin, time.process_time() - cpu
            out[seed] = (classify.predict_proba(model, ids["valid"]), classify.predict_proba(model, ids["test"]),
                         seconds, cpu)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--languages", nargs="+", default=["zh", "en"], choices=sentiment.LANGUAGES)
    parser.add_argument("--epochs", nargs="+", type=int, default=[1])
    parser.add_argument("--seed", type=int, default=0, help="the split's seed and the other models' seed")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="seeds of the Chinese n-gram bag")
    parser.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE",
                        help="n-gram bag settings that differ from sentiment.NGRAM_BAG, e.g. batch_size=128 pooling=mean")
    parser.add_argument("--group", type=int, default=3,
                        help="average the bags of each run of this many consecutive --seeds (1: no averages)")
    parser.add_argument("--ngram-bag-only", action="store_true", help="Chinese n-gram bag and logistic regression only")
    args = parser.parse_args()
    settings = dict(sentiment.NGRAM_BAG)
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in settings:
            parser.error(f"--set {item}: the n-gram bag has no setting {key!r} ({', '.join(settings)})")
        settings[key] = type(settings[key])(value)
    if args.ngram_bag_only:
        args.languages, args.epochs = ["zh"], []
    print(speed_line(), flush=True)
    for language in args.languages:
        data = sentiment.load(language, seed=args.seed)
        print(f"\n### {language}: {len(data.train.texts):,} / {len(data.valid.texts):,} / {len(data.test.texts):,} texts\n")
        print("| model | epochs | test accuracy | training s |\n|---|---:|---:|---:|")
        predicted, _ = sentiment.lexicon_predict(data.test.texts, language)
        print(f"| lexicon (no training) | - | {classify.accuracy(data.test.labels, predicted):.1%} | 0 |")
        begin = time.perf_counter()
        train_docs = [sentiment.features(t, language) for t in data.train.texts]
        nb = sentiment.NaiveBayes().fit(train_docs, data.train.labels)
        nb_acc = classify.accuracy(data.test.labels, nb.predict([sentiment.features(t, language) for t in data.test.texts]))
        print(f"| naive Bayes, 1-2-grams | - | {nb_acc:.1%} | {time.perf_counter() - begin:.1f} |")
        begin = time.perf_counter()
        lr = classify.NgramClassifier(classify.NgramConfig(unit="char" if language == "zh" else "word")).fit(
            data.train.texts, data.train.labels)
        lr_probs = lr.predict_proba(data.test.texts)
        lr_acc = classify.accuracy(data.test.labels, lr_probs.argmax(axis=1))
        print(f"| n-gram logistic regression | - | {lr_acc:.1%} | {time.perf_counter() - begin:.1f} |", flush=True)
        best = (0.0, "")
        for epochs in args.epochs:
            for name, (accuracy, seconds, probs) in neural_runs(data, language, epochs, args.seed).items():
                print(f"| {name} | {epochs} | {accuracy:.1%} | {seconds:.1f} |", flush=True)
                best = max(best, (accuracy, f"{name}, {epochs} epoch(s), {seconds:.0f} s"))
                if name == ("bag + bigrams" if language == "zh" else "bag"):
                    ensemble = classify.accuracy(data.test.labels, (probs + lr_probs).argmax(axis=1))
                    print(f"| {name} + logistic regression (mean probability) | {epochs} | {ensemble:.1%} | {seconds:.1f} |")
        if language == "zh":
            lr_valid = lr.predict_proba(data.valid.texts)
            valid_acc = classify.accuracy(data.valid.labels, lr_valid.argmax(axis=1))
            print(f"\n| Chinese n-gram bag ({settings}) | valid accuracy | test accuracy "
                  f"| training s (wall) | training s (process CPU) |\n|---|---:|---:|---:|---:|\n"
                  f"| n-gram logistic regression (for comparison) | {valid_acc:.1%} | {lr_acc:.1%} | - | - |")
            runs = ngram_bag_runs(data, args.seeds, settings)
            for seed, (pv, pt, seconds, cpu) in runs.items():
                accuracy = classify.accuracy(data.test.labels, pt.argmax(axis=1))
                print(f"| n-gram bag, seed {seed} | {classify.accuracy(data.valid.labels, pv.argmax(axis=1)):.1%} | "
                      f"{accuracy:.1%} | {seconds:.1f} | {cpu:.1f} |", flush=True)
                best = max(best, (accuracy, f"n-gram bag seed {seed}, {settings['epochs']} epochs, {seconds:.0f} s"))
            pv0, pt0, seconds0, cpu0 = runs[args.seeds[0]]
            groups = []  # (test accuracy, wall s, CPU s, seeds) of each average of --group bags
            for start in range(0, len(args.seeds) - args.group + 1, args.group) if args.group > 1 else ():
                group = args.seeds[start:start + args.group]
                pv, pt = sum(runs[s][0] for s in group), sum(runs[s][1] for s in group)
                groups.append((classify.accuracy(data.test.labels, pt.argmax(axis=1)), sum(runs[s][2] for s in group),
                               sum(runs[s][3] for s in group), " ".join(map(str, group))))
                print(f"| mean of the bags' probabilities, seeds {groups[-1][3]} (a neural ensemble) | "
                      f"{classify.accuracy(data.valid.labels, pv.argmax(axis=1)):.1%} "
                      f"| {groups[-1][0]:.1%} | {groups[-1][1]:.1f} | {groups[-1][2]:.1f} |")
            print(f"| n-gram bag (seed {args.seeds[0]}) + logistic regression, mean probability (an ensemble) | "
                  f"{classify.accuracy(data.valid.labels, (pv0 + lr_valid).argmax(axis=1)):.1%} | "
                  f"{classify.accuracy(data.test.labels, (pt0 + lr_probs).argmax(axis=1)):.1%} | {seconds0:.1f} | {cpu0:.1f} |")
            chosen = classify.accuracy(data.test.labels, pt0.argmax(axis=1))
            print(f"\ngoal: a neural model >= {GOAL:.0%} on the Chinese test split in <= {TRAINING_BUDGET:.0f} s of "
                  f"training at normal speed; the model chosen on validation, the n-gram bag (seed {args.seeds[0]}), "
                  f"{chosen:.1%} in {seconds0:.0f} s here (read against the machine's speed below): "
                  f"{'reached' if chosen >= GOAL else 'NOT reached'}; best test accuracy of any neural model here "
                  f"{best[0]:.1%} ({best[1]})")
            if groups:
                print(f"goal for the average of {args.group} bags (notebook 11 with TRAIN_LONGER): test accuracy "
                      + ", ".join(f"{acc:.1%} (seeds {seeds}, {wall:.0f} s wall, {cpu:.0f} s CPU)" for acc, wall, cpu, seeds in groups)
                      + f": {'reached for every group' if min(g[0] for g in groups) >= GOAL else 'NOT reached for every group'}"
                      " (the seconds read against the machine's speed below)")
        else:
            print(f"\nEnglish: best neural model {best[0]:.1%} ({best[1]}) against logistic regression {lr_acc:.1%}")
    print("\n" + speed_line())


if __name__ == "__main__":
    main()
