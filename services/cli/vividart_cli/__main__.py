"""Command line: upload photos through the web app and wait for them.

    python -m photo_jobs upload PHOTO... [--web URL] [--spec JSON] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from vividart_cli.client import UploadError, WebClient


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m photo_jobs")
    commands = parser.add_subparsers(dest="command", required=True)
    upload = commands.add_parser("upload", help="upload photos and wait until each is processed")
    upload.add_argument("photos", nargs="+", type=Path)
    upload.add_argument("--web", default="http://127.0.0.1:8080", help="the web app's URL")
    upload.add_argument("--spec", type=json.loads, default=None, help="edit spec as JSON")
    upload.add_argument("--out", type=Path, help="download the full rendition into this folder")
    upload.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)

    client = WebClient(args.web)
    failures = 0
    for photo in args.photos:
        started = time.monotonic()
        try:
            key = client.upload(photo.read_bytes(), photo.name, spec=args.spec)
            status = client.wait(key, timeout=args.timeout)
        except (OSError, UploadError, TimeoutError) as error:
            print(f"{photo}: {error}", file=sys.stderr)
            failures += 1
            continue
        seconds = time.monotonic() - started
        if status["status"] == "failed":
            print(f"{photo}: failed: {status['error']}", file=sys.stderr)
            failures += 1
            continue
        sizes = ", ".join(f"{o['name']} {o['width']}x{o['height']}" for o in status["outputs"])
        print(f"{photo}: processed in {seconds:.1f} s ({sizes}) key={key}")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            target = args.out / f"{photo.stem}-full.jpg"
            target.write_bytes(client.download(key))
            print(f"  saved {target}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
