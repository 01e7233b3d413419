"""What a strict Content Security Policy refuses, found in rendered HTML.

Used on real responses and on the exported public site, never on template source: a template
can include another, a form widget can add attributes, a tag can write markup.
"""

from __future__ import annotations

from html.parser import HTMLParser

#: The staff application's policy (jps/settings.py), directive by directive; img-src adds the tile host.
STAFF_POLICY = {
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
            self.found.append(f"line {self._script_line}: inline <script> {self._script_text.strip()[:60]!r}")
            self._script_line = None


def inline_code(html: str) -> list[str]:
    """Everything in ``html`` that a policy without 'unsafe-inline' would block: empty if none."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found
