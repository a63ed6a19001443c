"""Principal component analysis (主成分分析): vectors projected on the directions they vary most along.

Notebook 02 draws word vectors of 50 dimensions in 2-D with it::

    points = pca.project(np.array([embeddings[w] for w in words]), components=2)  # (N, 2)
    plots.word_map(embeddings, words)            # the same points, drawn with their words

Notation: X (N, D) the rows to project, X̄ = X − mean(X) the centred rows, X̄ = U S Vᵀ its
singular value decomposition; the projection on the first k principal directions is X̄ V_k = U_k S_k.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lmtutor._validate import check_array, check_int


def project(vectors: Any, components: int = 2) -> np.ndarray:
    """Return the (N, components) coordinates of the rows of ``vectors`` (N, D) on their first
    principal directions: X̄ V_k, where X̄ = X − mean(X) = U S Vᵀ (rows of Vᵀ by falling S).

    Coordinate j has variance S_j² / N, the largest a projection on one direction orthogonal to the
    first j − 1 can have. The sign of each direction is arbitrary (SVD may flip it).
    """
    matrix = check_array("vectors", vectors)
    if matrix.ndim != 2 or matrix.shape[0] < 2:
        raise ValueError(f"vectors must be a 2-D array (N, D) with at least 2 rows, got shape {matrix.shape}")
    components = check_int("components", components, minimum=1, maximum=min(matrix.shape))
    centred = matrix - matrix.mean(axis=0)  # (N, D)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)  # rows: principal directions
    return centred @ directions[:components].T  # (N, components)
