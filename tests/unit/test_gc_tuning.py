"""A serving worker freezes its start-up objects and collects the young generation less often."""

from __future__ import annotations

import subprocess
import sys


def test_tune_for_serving_freezes_and_raises_thresholds() -> None:
    # in a child process: a frozen object is never collected, the test process must stay as is
    code = (
        "import gc\n"
        "from app.gc_tuning import OLDER_THRESHOLD, YOUNG_THRESHOLD, tune_for_serving\n"
        "tune_for_serving()\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
        "assert gc.get_threshold() == (YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
