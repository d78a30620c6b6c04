"""Test-only hooks, imported by the Celery workers the fault tests start (`--include`).

Nothing here is loaded by the product. Two switches, both environment variables:

- CLIENTREVIEW_FAULT_GATE=<folder>: the first PDF render of each worker process writes
  `<folder>/rendering` and waits there until the test kills the worker (or writes
  `<folder>/release`), so "killed in the middle of building a PDF" is deterministic.
  Once `rendering` exists, later renders go straight through.
- CLIENTREVIEW_FAULT_VISIBILITY_TIMEOUT=<seconds>: a short Redis visibility timeout, so
  this worker restores unacknowledged messages now instead of after the hour settings.py
  gives them (standing in for "an hour later").
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery.signals import worker_process_init

from clientreview.celery import app

_visibility = os.environ.get("CLIENTREVIEW_FAULT_VISIBILITY_TIMEOUT")
if _visibility:
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(_visibility),
        # Look for expired messages every second, not every ten.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


@worker_process_init.connect
def _pause_the_first_render(**_kwargs) -> None:
    gate = os.environ.get("CLIENTREVIEW_FAULT_GATE")
    if not gate:
        return
    import assessments.pdf as pdf

    real_render = pdf.render_plan_pdf
    folder = Path(gate)

    def paused_render(*args, **kwargs):
        marker = folder / "rendering"
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            # The plan is PROCESSING and nothing is written yet: hold here to be killed.
            deadline = time.monotonic() + 120
            while not (folder / "release").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return real_render(*args, **kwargs)

    pdf.render_plan_pdf = paused_render
