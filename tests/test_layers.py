"""The layering rule of STYLE.md, checked on the source: Data < Math < Models < Show / Teach, each
module importing only from layers below its own (same layer allowed), `checks` from Data and Math
only, and the Transformer not through the LSTM module. Imports inside functions count too."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lmtutor"
LAYERS = {  # every public module (test_every_module_has_a_layer keeps this complete)
    "scaling": 1, "distribute": 2, "tensorboard_logs": 2,  # notebook 13
    "text": 0, "corpora": 0, "datasets": 0, "numerals": 0, "translation_data": 0, "parallel": 0, "dialogue_data": 0,
    "ngram": 1, "embeddings": 1, "glove": 1, "evaluation": 1, "rnn": 1, "losses": 1, "optim": 1,
    "regularization": 1, "attention": 1, "bias": 1, "decoding": 1, "pca": 1, "translation_metrics": 1,
    "sentiment": 1, "retrieval": 1,
    "lm": 2, "lstm_lm": 2, "transformer": 2, "generate": 2, "checkpoints": 2, "mlp_lm": 2, "memory": 2, "memorisation": 2,
    "timing": 2, "seq2seq": 2, "translate": 2, "explain": 2, "dialogue": 2, "classify": 2, "tagging": 2,
    "plots": 3, "widgets": 3, "checks": 3, "classroom": 3, "grading": 3, "guide": 3,
}
NAMES = {0: "Data", 1: "Math", 2: "Models", 3: "Show/Teach"}


def _imported(path: Path) -> set[str]:
    """Return the lmtutor modules (first component after lmtutor.) that ``path`` imports anywhere."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lmtutor"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("lmtutor."))
    return found


def _files(module: str) -> list[Path]:
    single = PACKAGE / f"{module}.py"
    return [single] if single.exists() else sorted((PACKAGE / module).rglob("*.py"))


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_a_module_imports_only_from_its_layer_and_below(module):
    files = _files(module)
    assert files, f"lmtutor/{module} is gone: update LAYERS"
    ceiling = 1 if module == "checks" else LAYERS[module]
    for path in files:
        for other in _imported(path) - {module}:
            if other in LAYERS:
                assert LAYERS[other] <= ceiling, (f"{path.relative_to(PACKAGE.parent)} ({NAMES[LAYERS[module]]}) "
                                                  f"imports lmtutor.{other} ({NAMES[LAYERS[other]]})")


def test_every_module_has_a_layer():
    import lmtutor

    assert sorted(LAYERS) == sorted(lmtutor.__all__), "give each new module its layer in LAYERS"


def test_the_transformer_trains_and_scores_through_lm_not_the_lstm_module():
    assert "lstm_lm" not in _imported(PACKAGE / "transformer.py")
    assert "lm" in _imported(PACKAGE / "transformer.py")
    assert "ngram" not in _imported(PACKAGE / "datasets.py")
