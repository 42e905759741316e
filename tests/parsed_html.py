"""An HTML document as a reader gets it: its tags, and its text with entities decoded.

Serializers escape differently (`&#x27;`, `&#39;` or a bare `'` in text); what matters is what is read.
"""

from __future__ import annotations

from html.parser import HTMLParser


class ParsedHtml(HTMLParser):
    """The tags and the text (entities decoded) of an HTML document."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self._text: list[str] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    @property
    def text(self) -> str:
        return "".join(self._text)
