"""Driving Debian's Chromium with Playwright, as the browser tests do (no browser is downloaded)."""

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"]


def sign_in(page, stack) -> None:
    page.goto(stack.web_url)
    page.get_by_label("Email").fill(stack.staff["staff_email"])
    page.get_by_label("Password").fill(stack.staff["staff_password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{stack.web_url}/")


def session_of(context, stack):
    """A requests session holding a browser context's cookies: to fetch what its pages point at
    the way the browser would, trusting what it trusts (the stack's certificate over https)."""
    import requests

    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides the session's own verify
    session.verify = stack.verify
    for cookie in context.cookies(stack.web_url):
        session.cookies.set(cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"])
    return session
