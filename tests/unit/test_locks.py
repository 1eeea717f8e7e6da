"""The lock files agree with the requirements files they are compiled from (scripts/locks.py): a
package added to or dropped from a requirements file, or a pin moved, without `make lock`, fails
here and in the bootstrap, before any environment is filled from a stale lock."""

import shutil

import pytest

import locks
from support import REPO


@pytest.mark.parametrize("lock", locks.LOCKS, ids=lambda lock: lock.path)
def test_every_lock_agrees_with_its_requirements(lock):
    assert locks.disagreements(lock) == []


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A copy of what the locks are read from: requirements, constraints, locks, the own packages' pyproject.toml."""
    for path in {path for lock in locks.LOCKS for path in (lock.path, lock.requirements, *lock.constraints)} | {
            "services/webapp/requirements.txt", "lambda_image/requirements.txt"}:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / path, tmp_path / path)
    for pyproject in [*REPO.glob("services/*/pyproject.toml"), REPO / "lambda_image" / "pyproject.toml",
                      REPO / "localstack" / "plugins" / "pyproject.toml"]:
        target = tmp_path / pyproject.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pyproject, target)
    monkeypatch.setattr(locks, "ROOT", tmp_path)
    return tmp_path


def problems(locks_module=locks):
    return [problem for lock in locks_module.LOCKS for problem in locks_module.disagreements(lock)]


def test_a_new_requirement_is_not_locked_until_make_lock(checkout):
    assert problems() == []
    with open(checkout / "lambda_image" / "requirements.txt", "a") as requirements:
        requirements.write("no-such-codec==1.0\n")
    found = problems()
    assert "tests/requirements.lock: no-such-codec==1.0 (lambda_image/requirements.txt) is not locked" in found
    assert "lambda_image/requirements.lock: no-such-codec==1.0 (lambda_image/requirements.txt) is not locked" in found


def test_a_moved_pin_and_a_dropped_requirement_are_found(checkout):
    web = checkout / "services" / "webapp" / "requirements.txt"
    web.write_text(web.read_text().replace("gunicorn==", "gunicorn==0.1.").replace("zipstream-ng==1.9.3\n", ""))
    policy = checkout / "tests" / "policy-requirements.txt"
    policy.write_text("\n".join(line for line in policy.read_text().splitlines() if not line.startswith("bandit")))
    found = problems()
    assert any(line.startswith("services/webapp/requirements.lock: gunicorn==0.1.") and "is locked" in line for line in found)
    # still wanted by the web app's own package (pyproject.toml), so still locked: no complaint
    assert not any("zipstream-ng" in line for line in found)
    assert "tests/policy-requirements.lock: bandit is locked but nothing asks for it any more" in found


def test_a_dependency_of_the_projects_own_package_must_be_locked(checkout):
    pyproject = checkout / "services" / "photo_jobs" / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("dependencies = [", 'dependencies = ["no-such-codec", ', 1))
    found = problems()
    assert "services/webapp/requirements.lock: no-such-codec (photo-jobs) is not locked" in found
    assert "tests/requirements.lock: no-such-codec (photo-jobs) is not locked" in found


def test_the_project_environment_installs_the_checkouts_own_packages():
    assert locks.main.__module__ == "locks"
    own = locks.read_requirements(REPO / "tests" / "requirements.txt").local
    assert own == ["services/photo_jobs", "services/webapp", "services/cli", "lambda_image"]
