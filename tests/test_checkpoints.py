"""Tests of lmtutor.checkpoints: a save/load round trip, checksum verification, the shipped
models beating the Kneser-Ney baseline of notebook 01 on validation, as the notebooks say, and
data/README.md quoting their cards."""

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lmtutor import checkpoints, datasets, lm, lstm_lm, ngram  # noqa: E402
from lmtutor.text import Vocab  # noqa: E402

VOCAB = Vocab(["<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "c"])
INFO = {"corpus": "toy", "epochs": 0}


@pytest.fixture()
def saved(tmp_path):
    config = lstm_lm.LSTMLMConfig(vocab_size=len(VOCAB), embedding_dim=3, hidden_size=4, dropout=0.1)
    model = lstm_lm.build_lstm_lm(config)
    return checkpoints.save(tmp_path / "toy", model, VOCAB, config, INFO), model


def test_round_trip_keeps_weights_to_float16_precision(saved):
    directory, model = saved
    loaded = checkpoints.load(directory)
    assert loaded.name == "toy" and loaded.vocab == VOCAB and loaded.info == INFO
    assert loaded.config == lstm_lm.LSTMLMConfig(vocab_size=7, embedding_dim=3, hidden_size=4, dropout=0.1)
    for ours, theirs in zip(loaded.model.get_weights(), model.get_weights()):
        assert ours.shape == theirs.shape
        assert np.array_equal(ours, theirs.astype(np.float16).astype(np.float32))
    ids = np.array([[2, 4, 5, 6]], dtype=np.int32)
    assert np.allclose(loaded.model.predict_on_batch(ids), model.predict_on_batch(ids), atol=1e-2)


def test_a_changed_file_is_refused(saved):
    directory, _ = saved
    vocab = json.loads((directory / "vocab.json").read_text())
    vocab["tokens"][4] = "z"
    (directory / "vocab.json").write_text(json.dumps(vocab))
    with pytest.raises(ValueError, match="vocab.json has sha256 .* damaged or was replaced"):
        checkpoints.load(directory)
    assert checkpoints.load(directory, verify=False).vocab.itos[4] == "z"


def test_bad_input_is_named(saved, tmp_path):
    _, model = saved
    config = lstm_lm.LSTMLMConfig(vocab_size=9)
    with pytest.raises(ValueError, match="config.vocab_size is 9 but vocab has 7 tokens"):
        checkpoints.save(tmp_path / "x", model, VOCAB, config, {})
    with pytest.raises(TypeError, match="vocab must be Vocab"):
        checkpoints.save(tmp_path / "x", model, ["a"], config, {})
    with pytest.raises(FileNotFoundError, match="no checkpoint 'nothing_here'"):
        checkpoints.load("nothing_here")
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        checkpoints.load("")
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "model.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(ValueError, match="is not an lmtutor LSTM checkpoint"):
        checkpoints.load(tmp_path / "fake")


def test_models_dir_is_the_checkout_folder_or_the_environment_variable(saved, tmp_path, monkeypatch):
    monkeypatch.delenv(checkpoints.ENV_VAR, raising=False)
    assert checkpoints.models_dir() == Path(checkpoints.__file__).resolve().parents[1] / "data" / "models"
    directory, _ = saved
    monkeypatch.setenv(checkpoints.ENV_VAR, str(directory.parent))
    assert checkpoints.models_dir() == directory.parent
    assert checkpoints.available() == [directory.name]
    assert checkpoints.load(directory.name).vocab.itos == VOCAB.itos
    monkeypatch.setenv(checkpoints.ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="LMTUTOR_MODELS is set to .*missing.*not a folder"):
        checkpoints.available()


def test_an_installed_package_without_the_checkout_says_where_the_models_are(monkeypatch, tmp_path):
    monkeypatch.delenv(checkpoints.ENV_VAR, raising=False)
    monkeypatch.setattr(checkpoints, "_CHECKOUT_MODELS", tmp_path / "no" / "data" / "models")
    for call in (checkpoints.models_dir, checkpoints.available, lambda: checkpoints.load("lee_chars_lstm")):
        with pytest.raises(FileNotFoundError, match="installed without it .* LMTUTOR_MODELS=.* folder path"):
            call()


SHIPPED = checkpoints.available()


def test_the_course_ships_its_checkpoints():
    assert {"lee_chars_lstm", "pd_chars_lstm"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_checkpoint_beats_kneser_ney_on_validation(name):
    checkpoint = checkpoints.load(name)
    corpus = checkpoint.info["corpus"]
    data = datasets.lm_corpus(corpus)
    assert checkpoint.vocab == data.vocab  # the same vocabulary, so the scores are comparable
    lstm_bits = lm.evaluate_documents(checkpoint.model, data.ids("valid"), batch_size=64)["bits_per_token"]
    assert lstm_bits == pytest.approx(checkpoint.info["valid_bits"], abs=2e-3)  # what the card says
    if datasets.CORPORA[corpus][1] is not None:
        assert lstm_bits < ngram.kn_baseline(corpus).bits_per_token(data.valid)


def _readme_model_rows() -> dict[str, list[str]]:
    """Return the rows of data/README.md's trained-models table, by checkpoint name."""
    lines = (checkpoints.models_dir().parent / "README.md").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| name | corpus"))
    rows = {}
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = cells
    return rows


@pytest.mark.parametrize("name", SHIPPED)
def test_data_readme_quotes_each_model_card(name):
    rows = _readme_model_rows()
    assert set(rows) == set(SHIPPED)
    checkpoint = checkpoints.load(name)
    _, corpus, model, epochs, minutes, valid_bits, kn_bits, _ = rows[name]
    info, config = checkpoint.info, checkpoint.config
    assert corpus.startswith(f"`{info['corpus']}` ({len(checkpoint.vocab):,} tokens)")
    assert f"LSTM {config.hidden_size}," in model and f"embedding {config.embedding_dim}," in model
    assert f"{checkpoint.model.count_params():,} parameters" in model
    assert int(epochs) == info["epochs"]
    assert minutes == f"{info['train_seconds'] / 60:.0f} min"
    assert valid_bits == f"{info['valid_bits']:.3f}"
    kn = ngram.kn_baseline(info["corpus"])
    assert kn_bits == f"{kn.bits_per_token(datasets.lm_corpus(info['corpus']).valid):.3f} ({kn.n}-gram)"
