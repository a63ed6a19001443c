"""One worker of ``distribute.run_workers``: ``python -m lmtutor._worker SPEC.json``, configured by TF_CONFIG.

Every worker builds the same data and the same seeded LSTM language model inside
``MultiWorkerMirroredStrategy().scope()`` and trains it with ``distribute.fit_distributed`` (or,
with ``"use_fit": true``, with ``lm.train``, which Keras 3 refuses under this strategy:
keras-team/keras#20585). The chief (task 0) writes the progress, the result and the final weights.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from lmtutor._validate import MAX_STEPS, check_bool, check_int, check_str, check_type

KEYS = {"corpus": "lee_chars", "seq_len": 32, "windows": 512, "config": {}, "epochs": 2,
        "global_batch_size": 64, "seed": 0, "checkpoint_dir": None, "use_fit": False}


def check_spec(spec: Any) -> dict:
    """Return ``spec`` with defaults filled in, raising TypeError/ValueError naming a bad key.

    Keys: corpus (a datasets.lm_corpus name), seq_len, windows (the first windows of its training
    split), config (LSTMLMConfig fields other than vocab_size), epochs, global_batch_size, seed,
    checkpoint_dir (a folder or None), use_fit (train with lm.train instead of the custom step).
    """
    check_type("spec", spec, dict)
    unknown = set(spec) - set(KEYS) - {"result", "progress"}
    if unknown:
        raise ValueError(f"spec has unknown keys {sorted(unknown)}; known: {sorted(KEYS)}")
    spec = {**KEYS, **spec}
    check_str("spec['corpus']", spec["corpus"], allow_empty=False)
    check_int("spec['seq_len']", spec["seq_len"], minimum=1, maximum=4096)
    check_int("spec['windows']", spec["windows"], minimum=1, maximum=1_000_000)
    check_type("spec['config']", spec["config"], dict)
    check_int("spec['epochs']", spec["epochs"], minimum=1, maximum=MAX_STEPS)
    check_int("spec['global_batch_size']", spec["global_batch_size"], minimum=1)
    check_int("spec['seed']", spec["seed"], minimum=0)
    if spec["checkpoint_dir"] is not None:
        spec["checkpoint_dir"] = str(check_str("spec['checkpoint_dir']", str(spec["checkpoint_dir"]), allow_empty=False))
    check_bool("spec['use_fit']", spec["use_fit"])
    return spec


def main(argv: list[str]) -> int:
    spec = check_spec(json.loads(Path(argv[0]).read_text()))
    from lmtutor import quiet_tensorflow

    tf = quiet_tensorflow()
    from lmtutor import datasets, distribute, lm, lstm_lm

    corpus = datasets.lm_corpus(spec["corpus"])
    inputs, targets = (x[:spec["windows"]] for x in corpus.windows(spec["seq_len"]))
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG; waits for every worker
    chief = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {}).get("index", 0) == 0
    with strategy.scope():
        model = lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=len(corpus.vocab), **spec["config"]))
    begin = time.perf_counter()

    def progress(epoch: int, loss: float) -> None:
        if chief and spec.get("progress"):
            Path(spec["progress"]).write_text(json.dumps(epoch))

    if spec["use_fit"]:  # fails in Keras 3 (keras-team/keras#20585): shown, not hidden
        history = lm.train(model, (inputs, targets), epochs=spec["epochs"], batch_size=spec["global_batch_size"],
                           seed=spec["seed"], verbose=False)
        history = {"loss": history["loss"], "resumed_at": 0}
    else:
        history = distribute.fit_distributed(
            model, (inputs, targets), strategy=strategy, epochs=spec["epochs"],
            global_batch_size=spec["global_batch_size"], seed=spec["seed"],
            checkpoint_dir=spec["checkpoint_dir"], is_chief=chief, on_epoch=progress)
    if chief and spec.get("result"):
        import numpy as np

        result_path = Path(spec["result"])
        np.savez(result_path.with_name("weights.npz"), **{f"w{i}": w for i, w in enumerate(model.get_weights())})
        result_path.write_text(json.dumps({**history, "replicas": strategy.num_replicas_in_sync,
                                           "train_seconds": time.perf_counter() - begin}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
