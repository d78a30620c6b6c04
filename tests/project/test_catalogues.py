"""The five catalogues beside English are complete and in step with the source.

- every entry translated, none fuzzy, and msgfmt --check accepts the file;
- each translation keeps the placeholders and markup of its msgid;
- `makemessages` run now finds no msgid the catalogue lacks (a new or changed string
  fails here until it is extracted and translated).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|%%|\{[a-z_]*\}|</?[a-z][a-z0-9]*\b")


def _catalogue(code: str) -> polib.POFile:
    path = ROOT / "locale" / code / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"no catalogue for {code}"
    return polib.pofile(str(path))


# Placeholders the app fills with a date in DATE_FORMAT (`plan.day`, `|date:"DATE_FORMAT"`).
DATE_PLACEHOLDER = re.compile(r"%\((?:date|dates|review)\)s\.(?!\w)")


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_second_full_stop_after_a_date(code):
    """Croatian and Russian dates end with their own full stop ("7. prosinca 2026.",
    "7 декабря 2026 г."): a sentence ending on one must not add another ("2026..")."""
    from datetime import date

    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override(code):
        ends_with_stop = date_format(date(2026, 12, 7), "DATE_FORMAT").endswith(".")
    if not ends_with_stop:
        pytest.skip(f"{code} dates end without a full stop")
    entries = [e for e in _catalogue(code) if not e.obsolete]
    doubled = [
        e.msgid
        for e in entries
        for text in (e.msgstr, *e.msgstr_plural.values())
        if DATE_PLACEHOLDER.search(text)
    ]
    assert doubled == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(code):
    po = _catalogue(code)
    live = [e for e in po if not e.obsolete]
    assert [e.msgid for e in live if not e.translated()] == []
    assert [e.msgid for e in live if "fuzzy" in e.flags] == []
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(po.fpath)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("code", LANGUAGES)
def test_translations_keep_placeholders_and_markup(code):
    wrong = []
    for entry in _catalogue(code):
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            source = sorted(PLACEHOLDER.findall(entry.msgid_plural))
            for form in entry.msgstr_plural.values():
                found = sorted(PLACEHOLDER.findall(form))
                # A language may leave the count out of a form (Korean's single form has it).
                if set(found) - set(source):
                    wrong.append((entry.msgid, form))
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr)):
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_the_catalogues_hold_every_string_the_source_marks(tmp_path):
    # makemessages writes into the locale/ beside the sources: run it on a copy.
    copy = tmp_path / "src"
    for name in ("accounts", "assessments", "clientreview", "templates", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(ROOT / "manage.py", copy)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", LANGUAGES[0], "--no-location"],
        cwd=copy,
        env={**os.environ, "DEBUG": "1", "CLIENTREVIEW_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    extracted = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(copy / "locale" / LANGUAGES[0] / "LC_MESSAGES" / "django.po"))
        if not e.obsolete
    }
    for code in LANGUAGES:
        held = {(e.msgctxt, e.msgid) for e in _catalogue(code) if not e.obsolete}
        assert sorted(extracted - held, key=str) == [], f"{code}: run makemessages and translate"
