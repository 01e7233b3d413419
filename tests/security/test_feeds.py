"""Hole 8: approved public text reaches feed readers and data files as text, never as markup.

The attack: a public title, an approved update and a public outcome holding ``<script>`` and
``<img onerror>``. The Atom feed's summaries are ``type="html"``; a feed reader unescapes them
once and renders the result, so that result must hold no tag but the paragraphs and line
breaks the pages themselves make.
"""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from jps.models import Assessment, ProgressUpdate, Stage
from publicsite.export import publish
from tests import factories as f
from tests.publicsite.site import district_dir, nbhd_dir, site_files

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
HOSTILE = f"Bins {SCRIPT} and {IMG} & more\nsecond line"


class _Tags(HTMLParser):
    """Every tag (with its attributes) an HTML consumer would build from a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def markup_in(fragment: str) -> tuple[list[tuple[str, list[tuple[str, str | None]]]], str]:
    """The tags an HTML consumer builds from ``fragment``, and the text it shows."""
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser.tags, "".join(parser.text)


def assert_only_paragraphs(fragment: str) -> str:
    """The fragment's only markup is bare <p> and <br> (what the pages make); returns the text shown."""
    tags, text = markup_in(fragment)
    assert all(tag in {"p", "br"} and not attrs for tag, attrs in tags), tags
    return text


@pytest.fixture
def hostile(settings, tmp_path, neighbourhood, category, pcso, web_editor):  # type: ignore[no-untyped-def]
    """A current and a closed public priority whose public title, approved update and outcome are hostile."""
    settings.PUBLIC_SITE_DIR = tmp_path / "site"
    settings.PUBLIC_SITE_URL = "https://priorities.example.test/"
    now = timezone.now()
    current = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        public_priority=True,
        adopted_on=datetime.date(2026, 3, 4),
        public_title=f"Title {SCRIPT}{IMG}",
    )
    ProgressUpdate.objects.create(
        problem=current,
        author=pcso,
        text="internal",
        status=ProgressUpdate.Status.APPROVED,
        public_text=HOSTILE,
        decided_by=web_editor,
        decided_at=now - datetime.timedelta(hours=2),
    )
    closed = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        public_priority=True,
        adopted_on=datetime.date(2026, 1, 4),
        public_title=f"Closed {SCRIPT}",
        stage=Stage.CLOSED,
        closed_at=now - datetime.timedelta(hours=1),
    )
    Assessment.objects.create(problem=closed, public_outcome=f"Outcome {IMG}\n\n{SCRIPT} done")
    publish(full=True)
    return site_files(settings.PUBLIC_SITE_DIR)


def test_atom_feed_carries_hostile_public_text_as_text_only(hostile, neighbourhood):
    root = ET.fromstring(hostile[f"{nbhd_dir(neighbourhood)}feed.atom"])
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2  # the approved update and the outcome
    shown = []
    for entry in entries:
        for name in ("title", "summary", "content"):
            element = entry.find(f"{ATOM}{name}")
            if element is None:
                continue
            kind = element.get("type", "text")
            assert kind in {"text", "html"}, kind  # never xhtml: no inline markup at all
            value = element.text or ""
            if kind == "html":  # the reader parses the unescaped value as HTML
                value = assert_only_paragraphs(value)
            shown.append(value)  # plain text is shown as it is, whatever characters it holds
    everything = "\n".join(shown)
    # What the reader shows is the text that was typed, characters and all, as on the pages.
    assert f"Title {SCRIPT}{IMG}: update" in everything
    assert f"Bins {SCRIPT} and {IMG} & more" in everything
    assert f"Outcome {IMG}" in everything and f"{SCRIPT} done" in everything


def test_atom_summaries_keep_line_breaks_as_the_pages_render_them(hostile, neighbourhood):
    root = ET.fromstring(hostile[f"{nbhd_dir(neighbourhood)}feed.atom"])
    summaries = [e.find(f"{ATOM}summary").text for e in root.findall(f"{ATOM}entry")]
    assert any("more<br>second line" in s for s in summaries)  # one newline: a line break
    assert any(s.count("<p>") == 2 for s in summaries)  # a blank line: a new paragraph


def test_police_uk_priorities_json_issue_and_action_are_escaped_html(hostile, neighbourhood):
    data = json.loads(hostile[f"{nbhd_dir(neighbourhood)}priorities.json"])
    assert len(data) == 2
    shown = [assert_only_paragraphs(item[key] or "") for item in data for key in ("issue", "action")]
    assert f"Title {SCRIPT}{IMG}" in shown and f"Closed {SCRIPT}" in shown  # shown as typed, as text


def test_open311_carries_public_text_as_plain_text(hostile, neighbourhood):
    """GeoReport v2 fields are plain text: the exact characters, with no markup of ours around them."""
    data = json.loads(hostile[f"{district_dir(neighbourhood.district)}requests.json"])
    by_status = {item["status"]: item for item in data}
    assert by_status["open"]["description"] == f"Title {SCRIPT}{IMG}"
    assert by_status["open"]["status_notes"] == HOSTILE
    assert by_status["closed"]["status_notes"] == f"Outcome {IMG}\n\n{SCRIPT} done"


def test_pages_show_the_same_text_escaped(hostile, neighbourhood):
    page = hostile[f"{nbhd_dir(neighbourhood)}index.html"].decode()
    assert SCRIPT not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
