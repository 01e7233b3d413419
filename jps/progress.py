"""Progress bars and the closing summary line of the long commands (issue 23).

``load_postcodes``, ``load_boundaries``, ``import_users``, ``redact_personal_data``,
``publish_site --full`` and ``bench/generate.py`` all follow one rule: a tqdm bar on stderr,
shown only on a terminal unless ``--progress`` asks for it (so tests, cron mail and logs stay
clean; ``--no-progress`` hides it everywhere), and one summary line on stdout at the end, in the
same words for every command::

    load_boundaries: 8,990 updated, 10 unchanged, 3 rejected in 4.1 s.

tqdm is the dependency already used by ``run_job`` and the bench; a bar costs nothing when it
is disabled (``update`` returns at once).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Protocol

from tqdm import tqdm


class Progress(Protocol):
    """What long work reports to; the commands pass a ``BarProgress``, everything else ``NoProgress``."""

    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def start(self, label: str, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


def add_progress_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--progress", action="store_true", help="Show the progress bar even when not on a terminal.")
    parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")


def progress_wanted(options: dict[str, Any]) -> bool:
    """A bar on a terminal, or when ``--progress`` asks; never with ``--no-progress``."""
    if options.get("no_progress"):
        return False
    return bool(options.get("progress")) or sys.stderr.isatty()


class BarProgress:
    """A tqdm bar per step, on stderr; the same ``start``/``advance``/``finish`` as the reminder jobs report to."""

    def __init__(self, *, enabled: bool, unit: str = " rows", min_total: int = 0) -> None:
        self.enabled = enabled
        self.unit = unit
        self.min_total = min_total  # a step known to be smaller than this shows no bar (run_job's small runs)
        self.bar: tqdm[Any] | None = None

    def start(self, label: str, total: int | None) -> None:
        self.finish()
        show = self.enabled and (total is None or total >= self.min_total)
        self.bar = tqdm(total=total, desc=label, unit=self.unit, file=sys.stderr, disable=not show)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


def summary(command: str, seconds: float, **counts: int) -> str:
    """``command: 3 created, 1 updated, 0 unchanged, 2 rejected in 0.4 s.`` (counts in the order given)."""
    parts = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items())
    return f"{command}: {parts} in {seconds:.1f} s."
