"""``python -m nianbao.replicas --port 8800``: serve the replica portals in the foreground."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from nianbao.replicas.server import DEFAULT_SEED, start
from nianbao.replicas.sources import write_sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nianbao.replicas", description=__doc__)
    parser.add_argument("--port", type=int, default=8800, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of all generated content")
    parser.add_argument(
        "--sources-out", type=Path, default=None, help="write the replicas' crawl sources (YAML) here"
    )
    args = parser.parse_args(argv)
    began = time.monotonic()
    try:
        server = start(port=args.port, seed=args.seed)
    except OSError as exc:
        print(f"cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    manifest = server.manifest()
    print(
        f"replica portals at {server.base_url}  ({len(manifest['reports'])} reports, {time.monotonic() - began:.1f} s)"
    )
    for portal in manifest["portals"]:
        print(f"  {portal['cms']:<13} {portal['name']:<12} {portal['homepage']}")
    print(f"manifest: {server.base_url}/manifest.json")
    if args.sources_out:
        print(f"sources:  {write_sources(args.sources_out, server.base_url, args.seed)}")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
