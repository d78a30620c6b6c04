"""Every page, as owner, staff and a visitor, in each language beside English, shows no
English beyond names and data: a string left unmarked for translation, or missing from
a catalogue, fails here with the page and the text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from tests.hardening import walk
from tests.hardening.support import body_of, client_for, is_html

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# Words that only English text has; two of them in one piece of text is English.
ENGLISH = frozenset(
    [
        "the",
        "and",
        "your",
        "you",
        "of",
        "to",
        "for",
        "with",
        "this",
        "that",
        "are",
        "was",
        "were",
        "not",
        "has",
        "have",
        "will",
        "can",
        "from",
        "there",
        "here",
        "their",
        "they",
        "what",
        "when",
        "which",
        "who",
        "how",
        "into",
        "about",
        "please",
        "yet",
        "been",
        "any",
        "all",
        "each",
        "only",
        "been",
        "before",
        "after",
        "then",
        "than",
        "them",
        "these",
        "those",
    ]
)
# What is the same in every language: the product's name, formats, codes.
KEPT = re.compile(r"ClientReview|CSV|PDF|SVG|SHA-256|UTC|GMT|\bOK\b")
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _Text(HTMLParser):
    """The text a person reads on the page, in the page's language: an element marked with
    another `lang` (the client's letter, proposed in the client's language) is left out."""

    def __init__(self, language: str = "") -> None:
        super().__init__()
        self.pieces: list[str] = []
        self._skip = 0
        self.language = language
        # The element in another language being skipped: [tag, nesting depth].
        self._other: list = []

    def handle_starttag(self, tag, attrs):
        if self._other:
            if tag == self._other[0]:
                self._other[1] += 1
            return
        lang = dict(attrs).get("lang")
        if lang and self.language and tag != "html" and lang != self.language:
            self._other = [tag, 1]
            return
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.pieces.append(value)

    def handle_endtag(self, tag):
        if self._other:
            if tag == self._other[0]:
                self._other[1] -= 1
                if not self._other[1]:
                    self._other = []
            return
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and not self._other and data.strip():
            self.pieces.append(data)


def _data_strings() -> list[str]:
    """Every text the test data holds (names, notes, descriptions): not the app's words."""
    found: set[str] = set()
    for label in ("accounts", "assessments"):
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField))
            ]
            if fields:
                for row in model._default_manager.values_list(*fields):
                    found.update(v for v in row if isinstance(v, str) and len(v) > 2)
    return sorted(found, key=len, reverse=True)


def _english(text: str, data: list[str]) -> bool:
    for value in data:
        text = text.replace(value, " ")
    text = KEPT.sub(" ", text)
    words = set(re.findall(r"[a-z]+", text.lower()))
    return len(words & ENGLISH) >= 2


def _pages(world, persona: str):
    for route in walk.all_routes():
        if route.name in walk.PUBLIC and persona != "anon":
            continue
        yield route.name, route.url(world)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_left_on_any_page(world, language):
    data = _data_strings()
    left: list[str] = []
    for persona in ("anon", "staff", "owner"):
        client = client_for(persona, world)
        for name, url in _pages(world, persona):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, follow=True)
            if response.status_code != 200 or not is_html(response):
                continue
            parser = _Text(language)
            parser.feed(body_of(response))
            for piece in parser.pieces:
                if _english(piece, data):
                    left.append(f"{persona} {name}: {' '.join(piece.split())[:120]}")
    left = sorted(set(left))
    assert not left, "English left:\n" + "\n".join(left)
