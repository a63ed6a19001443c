"""Trained LSTM language models that ship with the course: save, load and verify them.

A minute on two CPU cores trains an LSTM far enough to see it learn, not far enough to beat a
Kneser-Ney model. ``data/train_models.py`` trains the course's models for longer, on the corpora of
``lmtutor.datasets``, and saves each in ``data/models/<name>/``; the notebooks load and score them::

    checkpoint = checkpoints.load("lee_chars_lstm")
    lm.evaluate_documents(checkpoint.model, datasets.lm_corpus("lee_chars").ids("valid"))
    checkpoint.info["history"]          # how training went, epoch by epoch
    checkpoint.encode("The prime minister")   # a prompt, tokenized as the model's corpus was

The models are files of the course repository (``data/models``), not of the Python package: a
``pip install .`` copies only ``lmtutor/``. :func:`models_dir` finds them through the environment
variable ``LMTUTOR_MODELS`` if it is set, else in the checkout this package runs from (what
``requirements.txt``'s editable install gives), and otherwise says so; ``load`` also takes a path.

A checkpoint folder holds ``model.json`` (the LSTMLMConfig, how it was trained, the files'
SHA-256), ``vocab.json`` and ``weights.npz`` (float16 arrays: half the size; the notebooks score
the model with exactly these weights).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from lmtutor import datasets
from lmtutor._validate import _show, check_bool, check_path, check_str, check_type
from lmtutor.text import Vocab

ENV_VAR = "LMTUTOR_MODELS"  # a folder of checkpoints to use instead of the checkout's data/models
_CHECKOUT_MODELS = Path(__file__).resolve().parents[1] / "data" / "models"  # exists in a source checkout only
FORMAT = "lmtutor.checkpoint"


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint: the compiled Keras model, its vocabulary, its config, how it was trained."""

    name: str  # folder name, e.g. "lee_chars_lstm"
    model: Any  # keras.Model built by lstm_lm.build_lstm_lm, weights loaded
    vocab: Vocab  # token <-> id mapping the model was trained with
    config: Any  # lstm_lm.LSTMLMConfig
    info: dict  # corpus, tokens, epochs, seconds, per-epoch history, the command that made it

    def __post_init__(self):
        check_str("name", self.name, allow_empty=False)
        _check_parts(self.model, self.vocab, self.config, self.info)

    @property
    def recipe(self):
        """Return the ``datasets.TextRecipe`` of the corpus the model was trained on (info["corpus"])."""
        corpus = self.info.get("corpus")
        if corpus not in datasets.RECIPES:
            raise ValueError(f"checkpoint {self.name!r} names corpus {corpus!r} on its card, not one of "
                             f"{', '.join(datasets.RECIPES)}: its text recipe is unknown")
        return datasets.RECIPES[corpus]

    def encode(self, text: str, *, add_bos: bool = True) -> list[int]:
        """Return <bos> + the ids of ``text``, normalised and tokenized as the model's training corpus was."""
        check_type("text", text, str)
        if not check_bool("add_bos", add_bos) and not self.recipe.tokens(text):
            raise ValueError(f"text {_show(text)} has no tokens under the corpus's recipe and add_bos is False")
        return self.recipe.encode(self.vocab, text, add_bos=add_bos)

    def decode(self, ids) -> str:
        """Return ``ids`` as text, joined as the training corpus's tokens are."""
        return self.recipe.decode(self.vocab, ids)


def _check_parts(model: Any, vocab: Any, config: Any, info: Any) -> None:
    """Raise unless model is an LSTM of build_lstm_lm for config, whose vocab_size is len(vocab), and info a dict."""
    import keras

    from lmtutor import lstm_lm

    check_type("model", model, keras.Model)
    check_type("vocab", vocab, Vocab)
    check_type("config", config, lstm_lm.LSTMLMConfig)
    check_type("info", info, dict)
    if config.vocab_size != len(vocab):
        raise ValueError(f"config.vocab_size is {config.vocab_size} but vocab has {len(vocab)} tokens")
    names = {layer.name for layer in model.layers}
    if not {"embedding", "lstm", "logits"} <= names or int(model.outputs[0].shape[-1]) != config.vocab_size:
        raise ValueError(f"model must be built by lstm_lm.build_lstm_lm(config) (layers embedding, lstm, logits; "
                         f"{config.vocab_size} logits), got layers {sorted(names)} and outputs "
                         f"{tuple(model.outputs[0].shape)}")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def models_dir() -> Path:
    """Return the folder of the shipped checkpoints: $LMTUTOR_MODELS if set, else the checkout's data/models.

    Raises FileNotFoundError, saying what to do, when neither exists: lmtutor installed with
    ``pip install .`` (not ``-e``) has no data/models beside it.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"{ENV_VAR} is set to {configured!r}, which is not a folder; point it at "
                                    f"the course's data/models (or unset it)")
        return path
    if not _CHECKOUT_MODELS.is_dir():
        raise FileNotFoundError(
            f"the course's trained models live in data/models of the course repository, and this lmtutor "
            f"({Path(__file__).resolve().parent}) was installed without it (pip install . copies only the "
            f"package). Install from a clone with `pip install -e .` (requirements.txt does), set "
            f"{ENV_VAR}=/path/to/the/clone/data/models, or pass checkpoints.load a folder path")
    return _CHECKOUT_MODELS


def available() -> list[str]:
    """Return the names of the checkpoints in :func:`models_dir`, sorted."""
    return sorted(p.parent.name for p in models_dir().glob("*/model.json"))


def save(directory: str | Path, model: Any, vocab: Vocab, config: Any, info: dict) -> Path:
    """Return ``directory`` after writing model.json, vocab.json and weights.npz (float16) into it."""
    directory = check_path("directory", directory)
    _check_parts(model, vocab, config, info)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"directory {str(directory)!r} is a file: give a folder for model.json, vocab.json, weights.npz")
    try:
        json.dumps(info)
    except (TypeError, ValueError) as error:
        raise TypeError(f"info must hold JSON values only (str, numbers, lists, dicts): {error}") from None
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {f"{i:02d}": np.asarray(w, dtype=np.float16) for i, w in enumerate(model.get_weights())}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    files = {"weights.npz": buffer.getvalue(),
             "vocab.json": json.dumps(vocab.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")}
    for filename, data in files.items():
        (directory / filename).write_bytes(data)
    card = {"format": FORMAT, "version": 1, "kind": "lstm_lm", "config": dataclasses.asdict(config),
            "info": info, "sha256": {filename: _digest(data) for filename, data in files.items()}}
    (directory / "model.json").write_text(json.dumps(card, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return directory


def load(name: str | Path, *, verify: bool = True) -> Checkpoint:
    """Return the checkpoint ``name`` (a folder in :func:`models_dir`, or a path to a folder), its model built.

    With ``verify`` the SHA-256 of vocab.json and weights.npz must equal those in model.json: a
    damaged or replaced file stops here instead of giving other numbers than the notebooks print.
    """
    from lmtutor import lstm_lm

    if not isinstance(name, (Path, os.PathLike)):
        check_str("name", name, allow_empty=False)
    check_bool("verify", verify)
    by_path = isinstance(name, Path) or "/" in str(name) or os.sep in str(name)
    directory = Path(name) if by_path else models_dir() / name
    card_path = directory / "model.json"
    if not card_path.is_file():
        where = "" if by_path else f" (available in {directory.parent}: {', '.join(available()) or 'none'})"
        raise FileNotFoundError(f"no checkpoint {str(name)!r}: {card_path} does not exist{where}; name must "
                                f"be a checkpoint of models_dir() or a folder holding model.json")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    if card.get("format") != FORMAT or card.get("kind") != "lstm_lm":
        raise ValueError(f"{card_path} is not an lmtutor LSTM checkpoint (format {card.get('format')!r})")
    files = {filename: (directory / filename).read_bytes() for filename in ("vocab.json", "weights.npz")}
    if verify:
        for filename, data in files.items():
            if _digest(data) != card["sha256"][filename]:
                raise ValueError(f"checkpoint {directory.name!r}: {filename} has sha256 {_digest(data)}, "
                                 f"model.json expects {card['sha256'][filename]}; the file is damaged or "
                                 f"was replaced: restore it with git, or retrain with data/train_models.py")
    vocab_data = json.loads(files["vocab.json"].decode("utf-8"))
    vocab = Vocab(vocab_data["tokens"], counts=vocab_data.get("counts"))
    config = lstm_lm.LSTMLMConfig(**card["config"])
    model = lstm_lm.build_lstm_lm(config)
    with np.load(io.BytesIO(files["weights.npz"])) as arrays:
        model.set_weights([arrays[key].astype(np.float32) for key in sorted(arrays.files)])
    return Checkpoint(directory.name, model, vocab, config, card["info"])
