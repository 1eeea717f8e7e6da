"""A wedding on the running local stack (`make bench`): 1,000 photos in one shoot beside a shoot of
10, small files so that the stack is measured rather than the pipeline, all in the same run:

    wedding_shoot_api_p50_s / _ratio     a page of the shoot's photos (the API the shoot page reads)
    wedding_gallery_api_p50_s / _ratio   the client's gallery (its first page), at 1,000 and at 10
    wedding_shoots_list_p50_s            the shoots list
    wedding_grid_s                       the shoot page, opened in Chromium, until its grid shows photos
    wedding_archive_mb_per_s / _vs_copy  Download all built in S3, against S3 copying the same objects
    wedding_web_rss_growth_mb            the web app's memory while that archive is built and fetched
    guests_gallery_p50_s / _p95_s, guests_image_p50_s / _p95_s, guests_errors
                                         50 clients at once on the wedding's gallery: the gallery, then
                                         ten thumbnails' redirects each
"""

from __future__ import annotations

import io
import statistics
import subprocess  # nosec B404 - fixed argument lists, no shell
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import requests
from PIL import Image

from photo_jobs import keys
WEDDING, SMALL, GUESTS = 1000, 10, 50
UPLOADS_AT_ONCE = 8


def _tiny(n: int) -> bytes:
    image = Image.new("RGB", (96, 64), ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _fill(stack, name: str, count: int) -> dict:
    shoot = stack.studio.create_shoot(f"{name} {time.strftime('%H:%M:%S')}")
    with ThreadPoolExecutor(UPLOADS_AT_ONCE) as pool:
        keys = set(pool.map(lambda n: stack.studio.upload(shoot["id"], _tiny(n), f"IMG_{n:04d}.jpg"), range(count)))
    stack.studio.wait_for_shoot(shoot["id"], keys, timeout=1800, interval=2.0)
    return shoot


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _timed(call, times: int = 20) -> float:
    taken = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        taken.append(time.perf_counter() - started)
    return statistics.median(taken)


def _link(stack, shoot_id: str, **options) -> dict:
    answer = requests.post(f"{stack.web}/api/shoots/{shoot_id}/links", timeout=30, json={"name": "Guests", **options},
                           headers={"Authorization": f"Bearer {stack.token}"})
    answer.raise_for_status()
    return answer.json()


def _grid_seconds(stack, shoot_id: str) -> float | None:
    """The shoot page in Chromium, from navigation until its grid shows photos with their thumbnails."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    from browser import CHROMIUM, CHROMIUM_FLAGS
    staff = stack.staff
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = chromium.new_page(viewport={"width": 1440, "height": 900})
        page.goto(stack.web)
        page.get_by_label("Email").fill(staff["staff_email"])
        page.get_by_label("Password").fill(staff["staff_password"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{stack.web}/")
        started = time.perf_counter()
        page.goto(f"{stack.web}/shoots/{shoot_id}")
        page.wait_for_function("() => document.querySelectorAll('#photos-grid li.photo img').length >= 12 && "
                               "[...document.querySelectorAll('#photos-grid li.photo img')].slice(0, 12)"
                               ".every(img => img.complete && img.naturalWidth > 0)", timeout=60_000)
        seconds = time.perf_counter() - started
        chromium.close()
    return seconds


def _web_rss(run_dir) -> int:
    """The web app's memory: its gunicorn's processes (embedded mode), or its container's (compose)."""
    pid_file = run_dir / "web.pid"
    if not pid_file.exists():
        used = subprocess.run(["docker", "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}"],
                              capture_output=True, text=True, check=False).stdout.split("\n")
        web = next((line.split()[1] for line in used if line.split() and line.split()[0].endswith("-web-1")), None)
        units = {"KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
        return int(float(web[:-3]) * units.get(web[-3:], 1)) if web else 0
    total = 0
    leader = pid_file.read_text().strip()
    children = subprocess.run(["pgrep", "-P", leader], capture_output=True, text=True, check=False).stdout.split()
    for pid in [leader, *children]:
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) * 1024
        except (OSError, StopIteration):
            continue
    return total


def _archive(stack, link: dict) -> tuple[float, int, dict]:
    """Download all of a delivery link, from the ask to its parts fetched: seconds, bytes, the archive."""
    visitor = requests.Session()
    page = visitor.get(link["url"], timeout=30).text
    visitor.headers["X-CSRFToken"] = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    base = link["url"].replace("/g/", "/api/g/")
    started = time.perf_counter()
    archive = visitor.post(f"{base}/archives", json={}, timeout=30).json()
    while archive["state"] == "building":
        time.sleep(0.2)
        archive = visitor.get(f"{base}/archives/{archive['id']}", timeout=30).json()
    built = time.perf_counter() - started
    fetched = sum(len(requests.get(part["url"], timeout=600).content) for part in archive["parts"])
    return built, fetched, archive


def _copy_rate(stack, shoot_id: str) -> float:
    """S3 copying the same objects (the full renditions), as many at once as the archiver reads."""
    s3 = boto3.client("s3", endpoint_url=stack.outputs["localstack_endpoint"], region_name=stack.outputs["region"],
                      aws_access_key_id="test", aws_secret_access_key="test")
    bucket = stack.outputs["processed_bucket"]
    sources = [keys.rendition_key(p["key"], p["job_id"], "full", "jpg") for p in stack.studio.photos(shoot_id)]
    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda key: s3.copy_object(Bucket=bucket, Key=f"bench-copy/{key}",
                                                 CopySource={"Bucket": bucket, "Key": key}), sources))
    seconds = time.perf_counter() - started
    total = sum(s3.head_object(Bucket=bucket, Key=f"bench-copy/{key}")["ContentLength"] for key in sources)
    return total / seconds


def _guests(stack, link: dict) -> dict:
    """50 clients at once: each opens the gallery, then ten thumbnails (their redirects)."""
    galleries, images, errors, lock = [], [], [0], threading.Lock()
    base = link["url"].replace("/g/", "/api/g/")
    start = threading.Barrier(GUESTS)

    def guest(n: int) -> None:
        visitor = requests.Session()
        try:
            start.wait()
            began = time.perf_counter()
            answer = visitor.get(base, timeout=60)
            took = time.perf_counter() - began
            answer.raise_for_status()
            photos = answer.json()["photos"]
            with lock:
                galleries.append(took)
            for photo in photos[n % 10:n % 10 + 10]:
                began = time.perf_counter()
                redirect = visitor.get(f"{base}/images/thumb/{requests.utils.quote(photo['path'])}",
                                       allow_redirects=False, timeout=60)
                took = time.perf_counter() - began
                with lock:
                    if redirect.status_code == 302:
                        images.append(took)
                    else:
                        errors[0] += 1
        except (requests.RequestException, ValueError, KeyError):
            with lock:
                errors[0] += 1

    with ThreadPoolExecutor(GUESTS) as pool:
        list(pool.map(guest, range(GUESTS)))
    return {"guests_gallery_p50_s": round(_p(galleries, 0.5), 3), "guests_gallery_p95_s": round(_p(galleries, 0.95), 3),
            "guests_image_p50_s": round(_p(images, 0.5), 3), "guests_image_p95_s": round(_p(images, 0.95), 3),
            "guests_errors": errors[0]}


def run(stack) -> dict:
    wedding, small = _fill(stack, "bench wedding", WEDDING), _fill(stack, "bench small", SMALL)
    studio = {"Authorization": f"Bearer {stack.token}"}
    page = lambda shoot: requests.get(f"{stack.web}/api/shoots/{shoot['id']}/photos?limit=120",  # noqa: E731
                                      headers=studio, timeout=30).raise_for_status()
    figures = {}
    big, little = _timed(lambda: page(wedding)), _timed(lambda: page(small))
    figures.update(wedding_shoot_api_p50_s=round(big, 4), wedding_shoot_api_ratio=round(big / little, 2))
    wedding_link, small_link = _link(stack, wedding["id"], downloads="full", proofs=False), _link(stack, small["id"])
    gallery = lambda link: requests.get(link["url"].replace("/g/", "/api/g/"), timeout=30).raise_for_status()  # noqa: E731
    big, little = _timed(lambda: gallery(wedding_link)), _timed(lambda: gallery(small_link))
    figures.update(wedding_gallery_api_p50_s=round(big, 4), wedding_gallery_api_ratio=round(big / little, 2))
    figures["wedding_shoots_list_p50_s"] = round(_timed(lambda: requests.get(f"{stack.web}/api/shoots", headers=studio,
                                                                             timeout=30).raise_for_status()), 4)
    grid = _grid_seconds(stack, wedding["id"])
    if grid is not None:
        figures["wedding_grid_s"] = round(grid, 2)
    rss_before, highest, done = _web_rss(stack.run_dir), [0], threading.Event()

    def watch():
        while not done.is_set():
            highest[0] = max(highest[0], _web_rss(stack.run_dir))
            time.sleep(0.1)
    threading.Thread(target=watch, daemon=True).start()
    built, fetched, archive = _archive(stack, wedding_link)
    done.set()
    rate, copy = archive["bytes_total"] / built, _copy_rate(stack, wedding["id"])
    figures.update(wedding_archive_mb_per_s=round(rate / 1e6, 2), wedding_copy_mb_per_s=round(copy / 1e6, 2),
                   wedding_archive_vs_copy=round(rate / copy, 2),
                   wedding_web_rss_growth_mb=round(max(0, highest[0] - rss_before) / 1e6, 1))
    # the guests on the wedding's own gallery (1,000 photos: more than the 600 of the figure)
    figures.update(_guests(stack, _link(stack, wedding["id"], downloads="web", proofs=True)))
    print("local stack, a wedding: " + ", ".join(f"{k} {v}" for k, v in figures.items()), flush=True)
    return figures
