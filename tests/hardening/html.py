"""Reading pages as a browser would: the forms they post, and anything the CSP would block."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageForm:
    action: str
    method: str
    # name -> values offered (option values, checkbox/radio values, the input's value)
    fields: dict[str, list[str]] = field(default_factory=dict)
    choice_fields: set[str] = field(default_factory=set)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.violations: list[str] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._script_without_src = False
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.violations.append(f"style= attribute on <{tag}>: {value!r}")
            if name.startswith("on"):
                self.violations.append(f"inline handler {name}= on <{tag}>: {value!r}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.violations.append(f"javascript: URL in <{tag} {name}>")
        if tag == "style":
            self.violations.append("<style> block")
        if tag == "script":
            # A data block (json_script) is never run; anything else must come from a file.
            is_data = (values.get("type") or "").lower() == "application/json"
            self._script_without_src = not values.get("src") and not is_data
            self._script_text = []
        if tag == "form":
            self._form = PageForm(
                action=values.get("action") or "", method=(values.get("method") or "get").lower()
            )
            self.forms.append(self._form)
        if self._form is None:
            return
        name = values.get("name")
        if tag == "select" and name:
            self._select = name
            self._form.fields.setdefault(name, [])
            self._form.choice_fields.add(name)
        elif tag == "option" and self._select:
            self._form.fields[self._select].append(values.get("value") or "")
        elif tag in ("input", "textarea", "button") and name:
            kind = (values.get("type") or "text").lower()
            self._form.fields.setdefault(name, []).append(values.get("value") or "")
            if kind in ("checkbox", "radio"):
                self._form.choice_fields.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None
        elif tag == "script":
            if self._script_without_src:
                text = "".join(self._script_text).strip()[:60]
                self.violations.append(f"inline <script> without src: {text!r}")
            self._script_without_src = False

    def handle_data(self, data: str) -> None:
        if self._script_without_src:
            self._script_text.append(data)


def parse(body: str) -> _Parser:
    parser = _Parser()
    parser.feed(body)
    parser.close()
    return parser


def csp_violations(body: str) -> list[str]:
    """Inline script, inline style and inline handlers: what a strict CSP blocks."""
    return parse(body).violations


def id_fields(form: PageForm) -> set[str]:
    """Choice fields whose offered values are all row ids (digits)."""
    found = set()
    for name in form.choice_fields:
        offered = [v for v in form.fields.get(name, []) if v != ""]
        if offered and all(v.isdigit() for v in offered):
            found.add(name)
    return found
