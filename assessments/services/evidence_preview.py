"""Previews of evidence: a PDF's first page rendered to PNG by poppler's `pdftoppm`.

Images need no preview file: the upload check decided their type from their content
(see `assessments.services.evidence`), and they are served as stored with that type and
`nosniff`, so a browser can only ever draw them as images. Re-encoding them would serve
something other than the file whose SHA-256 is on record.

PDFs are rendered once, by the worker after the upload commits (`render_evidence_preview`
in tasks.py), never on the request path: a PDF is untrusted input, so poppler runs as a
separate process, without a shell, with a time limit, on a file of bounded size, and its
output is bounded too. A PDF that cannot be rendered is marked FAILED and the page says
so; it can still be downloaded.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from assessments.models import Evidence
from assessments.models.incidents import PreviewStatus

logger = logging.getLogger(__name__)

PDFTOPPM = "pdftoppm"
RENDER_TIMEOUT_SECONDS = 10
# Longest side of the rendered page, in pixels: readable at 640 px wide, and bounded.
RENDER_SCALE_TO = 800
MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_PNG_BYTES = 5 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PreviewError(Exception):
    """The PDF could not be rendered; the message says why (for the log)."""


def preview_name(evidence: Evidence) -> str:
    """One name per file of evidence, so rendering twice replaces the preview."""
    return f"evidence-previews/{evidence.business_id}/{evidence.pk}.png"


def render_first_page(pdf_path: str) -> bytes:
    """The first page of the PDF at `pdf_path` as PNG bytes, or PreviewError."""
    if os.path.getsize(pdf_path) > MAX_PDF_BYTES:
        raise PreviewError("the PDF is too large to preview")
    executable = shutil.which(PDFTOPPM)
    if executable is None:
        raise PreviewError("pdftoppm is not installed (Debian: poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="clientreview-preview-") as folder:
        prefix = os.path.join(folder, "page")
        try:
            subprocess.run(  # noqa: S603 - fixed arguments, no shell, the path is ours
                [
                    executable,
                    *("-f", "1", "-l", "1"),
                    *("-scale-to", str(RENDER_SCALE_TO)),
                    "-png",
                    "-singlefile",
                    pdf_path,
                    prefix,
                ],
                check=True,
                capture_output=True,
                timeout=RENDER_TIMEOUT_SECONDS,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise PreviewError(f"pdftoppm took longer than {RENDER_TIMEOUT_SECONDS} s") from exc
        except (subprocess.CalledProcessError, OSError) as exc:
            raise PreviewError(f"pdftoppm failed: {exc}") from exc
        path = prefix + ".png"
        if not os.path.exists(path):
            raise PreviewError("pdftoppm wrote no page")
        if os.path.getsize(path) > MAX_PNG_BYTES:
            raise PreviewError("the rendered page is too large")
        with open(path, "rb") as handle:
            data = handle.read()
    if not data.startswith(PNG_MAGIC):
        raise PreviewError("pdftoppm wrote something other than a PNG")
    return data


def build_preview(evidence_id: int) -> str:
    """Render and store the preview of one PDF of evidence; returns the outcome.

    Idempotent: a preview already READY is left alone. Outcomes: "ready", "already ready",
    "failed", "not a pdf", "missing".
    """
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        return "missing"
    if not evidence.is_pdf:
        return "not a pdf"
    if evidence.preview_status == PreviewStatus.READY and evidence.preview:
        return "already ready"
    try:
        with tempfile.TemporaryDirectory(prefix="clientreview-preview-") as folder:
            pdf_path = os.path.join(folder, "evidence.pdf")
            # Storage may be S3: copy the file to a local path poppler can read.
            with evidence.file.open("rb") as source, open(pdf_path, "wb") as target:
                shutil.copyfileobj(source, target)
            png = render_first_page(pdf_path)
    except (PreviewError, OSError) as exc:
        logger.warning("Evidence %s: no preview (%s)", evidence_id, exc)
        Evidence.objects.filter(pk=evidence_id).update(preview_status=PreviewStatus.FAILED)
        return "failed"
    name = preview_name(evidence)
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(png))
    Evidence.objects.filter(pk=evidence_id).update(
        preview=saved, preview_status=PreviewStatus.READY
    )
    return "ready"


def queue_preview(evidence_id: int) -> None:
    """Have the worker render a PDF's preview once the upload commits."""
    from assessments.tasks import publish_preview  # tasks import services, not the reverse

    transaction.on_commit(lambda: publish_preview(evidence_id))
