"""Insight: analysts' evaluations, supervisors' quality scores, the best-practice library
(``library``) and the management-information figures (``figures``).

The names below are the package's public face; the models live in ``jps/models/evaluation.py``
and ``jps/models/quality.py``.
"""

from __future__ import annotations

from .library import (
    EVALUATION_RECORDED,
    EVALUATION_SEARCH_FIELDS,
    PROBLEM_SEARCH_FIELDS,
    SEARCH_CONFIG,
    LibraryFilters,
    best_practice_mark,
    evaluation_record,
    evaluations_visible_to,
    evaluations_waiting,
    good_practice_writeup,
    learning_needs_visible_to,
    library_search,
    library_visible_to,
    quality_score_record,
    quality_score_suggestion,
    quality_scores_for,
    similar_problems,
    uses_postgres,
)

__all__ = [
    "best_practice_mark",
    "evaluation_record",
    "EVALUATION_RECORDED",
    "EVALUATION_SEARCH_FIELDS",
    "evaluations_visible_to",
    "evaluations_waiting",
    "good_practice_writeup",
    "learning_needs_visible_to",
    "library_search",
    "library_visible_to",
    "LibraryFilters",
    "PROBLEM_SEARCH_FIELDS",
    "quality_score_record",
    "quality_score_suggestion",
    "quality_scores_for",
    "SEARCH_CONFIG",
    "similar_problems",
    "uses_postgres",
]
