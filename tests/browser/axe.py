"""axe-core (vendored in tests/browser/vendor/axe-core) run inside a Playwright page.

The page's Content-Security-Policy allows no inline script, so a ``<script>`` tag added
by the test would be refused; the script is evaluated through the DevTools protocol
instead, which CSP does not govern, and only once per document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
_source: str | None = None


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    target: str
    summary: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) {self.target}: {self.summary}"


def _axe_source() -> str:
    global _source
    if _source is None:
        _source = AXE_JS.read_text(encoding="utf-8")
    return _source


def serious_violations(page: Page) -> list[Violation]:
    """axe.run() on the whole page; the violations of impact serious or critical, one per
    element (rule, CSS target of the element, axe's summary of what fails)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                rule: v.id,
                nodes: v.nodes.map(n => ({
                    impact: n.impact || v.impact,
                    target: n.target.join(" "),
                    summary: (n.failureSummary || v.help).replace(/\\s+/g, " ").trim(),
                })),
            }));
        }"""
    )
    return [
        Violation(v["rule"], n["impact"], n["target"], n["summary"])
        for v in results
        for n in v["nodes"]
        if n["impact"] in SERIOUS
    ]
