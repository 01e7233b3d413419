"""What a strict Content Security Policy refuses, found in rendered HTML.

Used on real responses and on the exported public site, never on template source: a template
can include another, a form widget can add attributes, a tag can write markup.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

#: The public site's policy (its pages' meta tag, docker/nginx-public.conf): no script at all but our own files.
PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
#: The staff application's policy (jps/settings.py), directive by directive; img-src adds the tile host. Its
#: one allowance beyond the public site's: GOV.UK Frontend's js-enabled line, by the hash of its exact text.
STAFF_POLICY = {**PUBLIC_POLICY, "script-src": ["'self'", "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"]}
#: The inline scripts a staff page may carry: those the staff policy allows by hash.
STAFF_SCRIPT_HASHES = tuple(source for source in STAFF_POLICY["script-src"] if source.startswith("'sha256-"))
#: <script> types a browser never runs, so a policy does not govern them (json_script's data).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def parse_policy(header: str) -> dict[str, list[str]]:
    """``"a x y; b z"`` as ``{"a": ["x", "y"], "b": ["z"]}`` (the order of directives does not matter)."""
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            assert words[0] not in policy, f"{words[0]} appears twice in {header!r}"
            policy[words[0]] = words[1:]
    return policy


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script_line: int | None = None
        self._script_text = ""
        self.allowed: tuple[str, ...] = ()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"line {line}: <{tag} {name}={value!r}> (event-handler attribute)")
            elif name == "style":
                self.found.append(f"line {line}: <{tag} style={value!r}> (style attribute)")
            elif name.startswith("hx-on"):
                self.found.append(f"line {line}: <{tag} {name}=...> (htmx inline handler)")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"line {line}: <{tag} {name}={value!r}> (javascript: URL)")
        if tag == "style":
            self.found.append(f"line {line}: <style> element")
        if tag == "script" and not names.get("src") and (names.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self._script_line, self._script_text = line, ""

    def handle_data(self, data: str) -> None:
        if self._script_line is not None:
            self._script_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_line is not None:
            if script_hash(self._script_text) not in self.allowed:
                self.found.append(f"line {self._script_line}: inline <script> {self._script_text.strip()[:60]!r}")
            self._script_line = None


def script_hash(text: str) -> str:
    """A script's CSP source expression, as a browser computes it: the SHA-256 of its exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def inline_code(html: str, *, allowed: tuple[str, ...] = STAFF_SCRIPT_HASHES) -> list[str]:
    """Everything in ``html`` that a policy without 'unsafe-inline' would block: empty if none.

    ``allowed``: the script hashes the page's policy lists, a staff page's unless told (the public site's
    pages: none); a script with one of them runs.
    """
    finder = _Finder()
    finder.allowed = allowed
    finder.feed(html)
    finder.close()
    return finder.found
