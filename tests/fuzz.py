"""How hard the property-based tests try: a little in the ordinary suite, a lot in ``make fuzz``.

``JPS_FUZZ_EXAMPLES`` unset (``make test``, CI): each test uses its own small number of
examples (the API fuzz derandomised, so CI runs are repeatable). Set (``make fuzz`` sets
200): that many examples per API operation, ``scale`` times as many for the cheaper
in-process fuzzers, and fresh random examples each run (hypothesis prints how to replay
any failure).
"""

from __future__ import annotations

import os


def deep() -> bool:
    return bool(os.environ.get("JPS_FUZZ_EXAMPLES"))


def examples(quick: int, *, scale: int = 1) -> int:
    value = os.environ.get("JPS_FUZZ_EXAMPLES")
    return int(value) * scale if value else quick
