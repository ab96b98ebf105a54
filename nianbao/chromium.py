"""The system Chromium (Debian's ``chromium``), in one place: its path and the flags it
needs here — headless as root, no background connections — and where its traffic goes.

Chromium's own services call Google whatever the flags say: seen through a proxy, a
headless start asks update.googleapis.com, accounts.google.com and clients2.google.com.
A PAC script sends those hosts to a closed port on this machine, so nothing leaves it;
everything else goes direct, or through ``NIANBAO_CHROMIUM_PROXY`` when set (one egress
point an operator can watch). The pages' own requests pass the crawler's rules besides
(``crawler/browser_guard.py``).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

# The binary itself: Debian's /usr/bin/chromium wrapper adds Google API keys and remote
# extensions (/etc/chromium.d/), which a crawler has no use for.
_BINARY = Path("/usr/lib/chromium/chromium")
EXECUTABLE = os.environ.get("NIANBAO_CHROMIUM") or (str(_BINARY) if _BINARY.exists() else "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROXY = os.environ.get("NIANBAO_CHROMIUM_PROXY")  # e.g. http://127.0.0.1:3128
BACKGROUND_DOMAINS = ("google.com", "googleapis.com", "gvt1.com", "gvt2.com", "gstatic.com")
_CLOSED = "PROXY 127.0.0.1:9"  # the discard port: nothing listens, the connection is refused


def pac_script(proxy: str | None = PROXY) -> str:
    """The proxy auto-config: Chromium's background hosts to a closed port, the rest
    direct or through ``proxy``."""
    route = f"PROXY {proxy.split('://', 1)[-1].rstrip('/')}" if proxy else "DIRECT"
    return (
        "function FindProxyForURL(url, host) {\n"
        f"  var background = {json.dumps(list(BACKGROUND_DOMAINS))};\n"
        "  for (var i = 0; i < background.length; i++) {\n"
        '    if (host == background[i] || dnsDomainIs(host, "." + background[i])) return '
        f'"{_CLOSED}";\n'
        "  }\n"
        f'  return "{route}";\n'
        "}\n"
    )


def launch_options() -> dict:
    """Keyword arguments for Playwright's ``chromium.launch``."""
    pac = base64.b64encode(pac_script().encode()).decode()
    args = [*ARGS, f"--proxy-pac-url=data:application/x-ns-proxy-autoconfig;base64,{pac}"]
    return {"executable_path": EXECUTABLE, "headless": True, "args": args}
