"""Two embedded stacks on one host (a developer's `make up` and `make test`) keep to their own
folders: starting and stopping one leaves the other's LocalStack, CloudWatch and photos alone. The
second runs as `HTTPS=1 make up` does in embedded mode: behind HAProxy, in the app's AWS settings."""

import re
import time

import requests

from stacks import RunningStack, stack_env
from support import photo, ports, wait_for


def test_a_second_stack_starts_and_stops_beside_the_first(stack, tmp_path_factory):
    first_files = stack.run_dir / "localstack-tmp"
    before = stack.upload(photo(seed=31), "before the second stack.jpg")
    assert stack.studio.wait(before, timeout=60)["status"] == "processed"

    run_dir = tmp_path_factory.mktemp("second-stack")
    second = RunningStack(stack_env(run_dir, "embedded", *ports(4866, 8380, 5733), "vividart-it2",
                                    https_port=ports(8743)[0]), run_dir)
    up = second.script("stack.sh", "up", check=False)
    try:
        assert up.returncode == 0, f"{up.stdout[-3000:]}\n{up.stderr[-3000:]}"
        assert second.web_url == f"https://127.0.0.1:{ports(8743)[0]}"  # make outputs names the https address
        _a_browser_signs_in_over_https_as_deployed(second)
        on_second = second.upload(photo(seed=32), "on the second stack.jpg")
        on_first = stack.upload(photo(seed=33), "while the second runs.jpg")
        assert second.studio.wait(on_second, timeout=60)["status"] == "processed"
        assert stack.studio.wait(on_first, timeout=60)["status"] == "processed"
        assert on_second not in {p["key"] for p in stack.studio.photos(stack.shoot()["id"])}
    finally:
        down = second.script("stack.sh", "down", check=False)
    assert down.returncode == 0, down.stderr[-3000:]

    # the second stack's stop emptied its own folder, not the first's
    assert any(first_files.iterdir())
    after = stack.upload(photo(seed=34), "after the second stack.jpg")
    assert stack.studio.wait(after, timeout=60)["status"] == "processed"
    cloudwatch = stack.aws("cloudwatch")
    cloudwatch.put_metric_data(Namespace="VividArt/SideBySide", MetricData=[{"MetricName": "Alive", "Value": 1}])
    now = time.time()
    datapoints = cloudwatch.get_metric_statistics(Namespace="VividArt/SideBySide", MetricName="Alive",
                                                  StartTime=now - 600, EndTime=now + 60, Period=60,
                                                  Statistics=["Sum"])["Datapoints"]
    assert datapoints  # its CloudWatch database is still there
    for key in (before, on_first):
        assert stack.download(key, "thumb")


def _a_browser_signs_in_over_https_as_deployed(stack) -> None:
    """Through the TLS proxy, as a browser on the deployed site: the app's AWS settings show in its
    headers and cookie; a sign-in with the browser's same-origin Referer works, and CSRF stays
    strict (none, or another site's, is refused); the proxy's log holds no token."""
    browser = requests.Session()
    browser.trust_env, browser.verify = False, stack.verify
    page = browser.get(f"{stack.web_url}/signin", timeout=30)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page.headers["Referrer-Policy"] == "same-origin" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.url.startswith("https://")  # the app's own links name its https address
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    form = {"email": stack.staff["staff_email"], "password": stack.staff["staff_password"], "csrf_token": csrf}
    for referer in (None, "https://evil.example/signin"):
        refused = browser.post(f"{stack.web_url}/signin", data=form, timeout=30, allow_redirects=False,
                               headers={"Referer": referer} if referer else {})
        assert refused.status_code == 302 and refused.headers["Location"].endswith("/signin"), referer
    signed = browser.post(f"{stack.web_url}/signin", data=form, timeout=30, allow_redirects=False,
                          headers={"Referer": f"{stack.web_url}/signin"})
    assert signed.status_code == 302 and signed.headers["Location"] == "/", signed.text[:300]
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("__Host-") and "Secure" in cookie and "HttpOnly" in cookie
    assert browser.get(f"{stack.web_url}/api/me", timeout=30).json()["email"] == stack.staff["staff_email"]
    token = "12-" + "Zz" * 16
    assert browser.get(f"{stack.web_url}/g/{token}", timeout=30).status_code == 404
    log = wait_for(lambda: "/g/12-[token]" in (text := (stack.run_dir / "proxy.log").read_text()) and text)
    assert token not in log
