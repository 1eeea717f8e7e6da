"""vividart: the studio's command line, for the web app's API (an API token: vividart-admin create-token).

    vividart upload FOLDER_OR_PHOTO... --shoot NAME [--preset NAME | --spec JSON] [--jobs N] [--wait] [--out DIR]
    vividart shoots
    vividart status KEY
    vividart retry KEY

Settings: --web (or VIVIDART_WEB, default http://127.0.0.1:8080) and --token (or VIVIDART_TOKEN).
An upload into a shoot that has photos of the same name and size skips them: running it again
after an interruption sends only what is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from photo_jobs.formats import EXTENSIONS as PHOTO_EXTENSIONS, SUMMARY as PHOTO_KINDS
from vividart_cli.client import ApiError, StudioClient

def photos_in(paths: list[Path]) -> list[Path]:
    """The photos named, and those in the folders named (recursively), in name order."""
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PHOTO_EXTENSIONS
                            and not p.name.startswith("."))
        elif path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"{path}: no such file or folder")
    return found


def upload(client: StudioClient, args) -> int:
    files = photos_in(args.paths)
    if not files:
        raise SystemExit(f"no photos found ({PHOTO_KINDS})")
    shoot = client.find_shoot(args.shoot)
    if shoot is None:
        shoot = client.create_shoot(args.shoot)
        print(f"made the shoot {shoot['name']!r} ({shoot['id']})")
    already = {(p["name"], p["size"]) for p in client.photos(shoot["id"])}
    todo = [f for f in files if (f.name, f.stat().st_size) not in already]
    if len(todo) < len(files):
        print(f"{len(files) - len(todo)} of {len(files)} photos are in the shoot already: skipped")
    if not todo:
        print(f"nothing new to upload into {shoot['name']!r}")
        return 0
    spec = json.loads(args.spec) if args.spec else ({"preset": args.preset} if args.preset else None)
    failures, keys = [], {}
    with tqdm(total=sum(f.stat().st_size for f in todo), unit="B", unit_scale=True, unit_divisor=1024,
              desc=f"uploading {len(todo)} photos", disable=args.quiet) as bar, \
            ThreadPoolExecutor(args.jobs) as pool:
        sent = {pool.submit(client.upload, shoot["id"], f, spec=spec, sent=bar.update): f for f in todo}
        for future in as_completed(sent):
            try:
                keys[future.result()] = sent[future]
            except (ApiError, OSError) as error:
                failures.append(f"{sent[future]}: {error}")
    for failure in failures:
        print(f"not uploaded: {failure}", file=sys.stderr)
    print(f"{len(keys)} uploaded into {shoot['name']!r}" + (f", {len(failures)} failed" if failures else ""))
    if args.wait and keys:
        with tqdm(total=len(keys), unit="photo", desc="processing", disable=args.quiet) as bar:
            finished = client.wait_for_shoot(shoot["id"], set(keys), args.timeout, done=bar.update)
        bad = [p for p in finished.values() if p["status"] == "failed"]
        for photo in bad:
            print(f"failed: {photo['name']}: {photo['error']['message']}", file=sys.stderr)
        print(f"{len(finished) - len(bad)} processed" + (f", {len(bad)} failed" if bad else ""))
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            for photo in finished.values():
                if photo["status"] == "processed":
                    (args.out / photo["name"]).with_suffix(".jpg").write_bytes(
                        client.download(shoot["id"], photo["path"]))
            print(f"saved the full renditions in {args.out}")
        failures += bad
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vividart", description=__doc__.splitlines()[0])
    parser.add_argument("--web", default=os.environ.get("VIVIDART_WEB", "http://127.0.0.1:8080"), help="the web app's URL")
    parser.add_argument("--token", default=os.environ.get("VIVIDART_TOKEN"), help="an API token (or VIVIDART_TOKEN)")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upload", help="upload photos and folders of photos into a shoot")
    up.add_argument("paths", nargs="+", type=Path)
    up.add_argument("--shoot", required=True, help="the shoot's name (made if there is none) or id")
    look = up.add_mutually_exclusive_group()
    look.add_argument("--preset", help="a preset for these photos (else the shoot's look)")
    look.add_argument("--spec", help="an edit spec as JSON (else the shoot's look)")
    up.add_argument("--jobs", type=int, default=4, help="uploads at once (default 4)")
    up.add_argument("--wait", action="store_true", help="wait until every photo is processed")
    up.add_argument("--timeout", type=float, default=1800.0, help="seconds --wait waits at most")
    up.add_argument("--out", type=Path, help="with --wait: save the full renditions here")
    up.add_argument("--quiet", action="store_true", help="no progress bars")
    commands.add_parser("shoots", help="list the shoots")
    status = commands.add_parser("status", help="a photo's processing, by its key")
    status.add_argument("key")
    retry = commands.add_parser("retry", help="process a photo again (after it gave up)")
    retry.add_argument("key")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("an API token is needed: --token or VIVIDART_TOKEN (vividart-admin create-token EMAIL)")

    client = StudioClient(args.web, args.token)
    try:
        if args.command == "upload":
            return upload(client, args)
        if args.command == "shoots":
            for shoot in client.shoots():
                counts = shoot["counts"]
                print(f"{shoot['id']}  {shoot['name']}: {counts['photos']} photos, {counts['processed']} ready, "
                      f"{counts['failed']} failed")
            return 0
        if args.command == "status":
            print(json.dumps(client.job(args.key), indent=2))
            return 0
        shoot_id, _, path = args.key.split("/", 1)[1].partition("/")  # uploads/<shoot>/<path>
        print(json.dumps(client.retry(shoot_id, path), indent=2))
        return 0
    except ApiError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
