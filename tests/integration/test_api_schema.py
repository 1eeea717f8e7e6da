"""The documented JSON API against its own OpenAPI document, on the embedded stack.

Schemathesis generates calls to every operation of /api/openapi.json (bodies, path and query
parameters, valid and invalid) and each must be answered below 500. Path parameters name a real
shoot, and a real photo in it, part of the time, so the calls reach past the "not found" answers.
Every staff operation also answers 401 to a call without the staff token, or with a wrong one;
every client operation (a share link's, under /api/g/) answers 404 to a token that is no link's.
"""

import copy
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from photo_jobs import renditions
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from support import photo

pytestmark = pytest.mark.integration

# The shoot's live events: a server-sent stream that never ends, so no generated calls to it.
STREAMS = r"/events$"
RENDITIONS = renditions.NAMES
# Generated calls per operation (valid and invalid together), besides the coverage phase's edge cases;
# more for a deeper search: VIVIDART_SCHEMA_EXAMPLES=300 takes a few minutes.
EXAMPLES = int(os.environ.get("VIVIDART_SCHEMA_EXAMPLES", "25"))


@pytest.fixture(scope="session")
def openapi(stack) -> dict:
    response = requests.get(f"{stack.web_url}/api/openapi.json", timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="session")
def real(stack) -> dict:
    """A shoot made for these tests, with one processed photo and a share link: path parameters that exist."""
    shoot = stack.studio.create_shoot("Schema test")
    key = stack.upload(photo(64, 48, seed=23), "schema test.jpg", shoot=shoot["id"])
    assert stack.studio.wait(key, timeout=60)["status"] == "processed"
    link = requests.post(f"{stack.web_url}/api/shoots/{shoot['id']}/links", json={"name": "Schema test"}, timeout=30,
                         headers={"Authorization": f"Bearer {stack.staff['api_token']}"})
    assert link.status_code == 201, link.text
    people = requests.get(f"{stack.web_url}/api/shoots/{shoot['id']}/links/{link.json()['id']}/feedback", timeout=30,
                          headers={"Authorization": f"Bearer {stack.staff['api_token']}"}).json()["visitors"]
    return {"shoot_id": shoot["id"], "photo": key.split("/", 2)[2], "key": key, "link_id": str(link.json()["id"]),
            "token_id": "1", "visitor_id": str(people[0]["id"])}


@pytest.fixture(scope="session")
def caller(stack) -> str:
    """An account and token of these tests' own: generated calls revoke tokens and end sessions,
    and must end no one else's (the stack's own token is the other tests')."""
    admin = [str(Path(sys.executable).parent / "vividart-admin")]
    env = {**os.environ, "VIVIDART_WEB_DATABASE_URL": stack.web_env["VIVIDART_WEB_DATABASE_URL"]}
    email = f"schema-{uuid.uuid4().hex[:8]}@studio.example"
    made = subprocess.run([*admin, "create-staff", email], env=env, check=True, capture_output=True, text=True, timeout=60)
    assert json.loads(made.stdout)["email"] == email
    return subprocess.run([*admin, "create-token", email, "--name", "schema tests"], env=env, check=True,
                          capture_output=True, text=True, timeout=60).stdout.strip()


@pytest.fixture(scope="session")
def api_schema(stack, openapi, real, caller):
    config = SchemathesisConfig.from_dict({
        "base-url": stack.web_url,
        "headers": {"Authorization": f"Bearer {caller}"},
        "max-redirects": 0,  # the rendition and download routes answer 302 to a storage URL
        "request-timeout": 30,
        "generation": {"mode": "all", "max-examples": EXAMPLES, "database": "none"},
    })
    schema = schemathesis.openapi.from_dict(copy.deepcopy(openapi), config=config)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """As generated, or with the real shoot (its photo, its job's key, a rendition's name) in place."""
        known = {name: value for name, value in real.items() if name in (path_parameters or {})}
        if not known:
            return st.just(path_parameters)
        options = [st.just(path_parameters), st.just({**path_parameters, **known})]
        if "name" in path_parameters:
            options.append(st.sampled_from([{**path_parameters, **known, "name": name} for name in RENDITIONS]))
        return st.one_of(options)

    @schema.hook
    def flatmap_body(context, body):
        """As generated, or naming the real photo where a body names photos (previews, edits)."""
        if not isinstance(body, dict) or not {"key", "photos"} & body.keys():
            return st.just(body)
        known = {"key": real["key"]} if "key" in body else {"photos": [real["photo"]]}
        return st.sampled_from([body, {**body, **known}])

    return schema


@pytest.fixture(scope="module", autouse=True)
def studio_settings_restored(stack):
    """Generated calls save the studio's settings and logo, which every later upload carries (the
    stack is the whole session's): the defaults again after this module."""
    yield
    auth = {"Authorization": f"Bearer {stack.staff['api_token']}"}
    requests.put(f"{stack.web_url}/api/studio", json={}, headers=auth, timeout=30).raise_for_status()
    requests.delete(f"{stack.web_url}/api/studio/logo", headers=auth, timeout=30).raise_for_status()


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=STREAMS)


@schema.parametrize()
def test_no_operation_answers_a_server_error(case):
    case.call_and_validate(checks=[not_a_server_error])


def test_every_operation_needs_its_callers_token(stack, openapi, real):
    operations = [(method.upper(), path) for path, item in openapi["paths"].items()
                  for method in item if method in {"get", "put", "post", "patch", "delete"}]
    assert len(operations) >= 10, operations
    wrong = {}
    for method, path in operations:
        url = stack.web_url + re.sub(r"\{(\w+)\}", lambda m: requests.utils.quote(
            real.get(m.group(1), "full" if m.group(1) == "name" else "x"), safe=""), path)
        body = {} if "requestBody" in openapi["paths"][path][method.lower()] else None  # 401 before any 422
        # a client's token is in the path ("x": no link's), and a staff token does not open a gallery
        refused = 404 if path.startswith("/api/g/") else 401
        for label, headers in (("no token", {}), ("a wrong token", {"Authorization": "Bearer not-the-token"}),
                               *([("the staff token", {"Authorization": f"Bearer {stack.staff['api_token']}"})]
                                 if refused == 404 else [])):
            with requests.request(method, url, headers=headers, json=body, allow_redirects=False, stream=True,
                                  timeout=30) as response:
                if response.status_code != refused:
                    wrong[f"{method} {path} with {label}"] = response.status_code
    assert wrong == {}
