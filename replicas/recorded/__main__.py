"""``python -m nianbao.replicas.recorded [--port N] [--sources FILE]``: serve the recorded columns."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from nianbao.replicas.recorded import load_recordings, write_sources
from nianbao.replicas.recorded.proxy import start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--sources", type=Path, help="write the recordings' crawl sources here")
    args = parser.parse_args()
    recordings = load_recordings()
    proxy = start(recordings, args.port)
    if args.sources:
        write_sources(args.sources, recordings)
    print(f"{len(recordings)} recorded columns; set http_proxy=https_proxy={proxy.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    main()
