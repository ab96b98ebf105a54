"""The system Chromium (Debian's ``chromium``), in one place: its path and the flags
it needs here — headless as root, and no background connections, which a closed
network refuses by the dozen."""

from __future__ import annotations

import os

EXECUTABLE = os.environ.get("NIANBAO_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_options() -> dict:
    """Keyword arguments for Playwright's ``chromium.launch``."""
    return {"executable_path": EXECUTABLE, "headless": True, "args": list(ARGS)}
