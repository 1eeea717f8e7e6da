#!/usr/bin/env python3
"""The lock files: every Python environment and image is filled by uv from a lock kept in the
repository beside the requirements file it is compiled from (exact versions and hashes).

  scripts/locks.py lock [--upgrade]   relock them all (make lock): uv pip compile, from PyPI
  scripts/locks.py check              which locks no longer agree with their requirements (exit 1)
  scripts/locks.py local LOCK         the project's own packages installed beside LOCK, one a line

A lock agrees with its requirements when every requirement, constraint and dependency of the
project's own packages is met by a locked version, and every locked package is still needed by one
of them (its "via" annotations lead back to one). The check reads files only (no index).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# The machines everything runs on: the host's environments and Debian 13's images alike.
PYTHON_VERSION = "3.13"
PYTHON_PLATFORM = "x86_64-manylinux_2_28"
MARKER_ENV = {"python_version": PYTHON_VERSION, "python_full_version": f"{PYTHON_VERSION}.0", "sys_platform": "linux",
              "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
              "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}


@dataclass(frozen=True)
class Lock:
    path: str                       # the lock, from the repository's root
    requirements: str               # what it is compiled from (its -e lines: the project's own packages)
    constraints: tuple[str, ...] = ()
    local: tuple[str, ...] = ()     # the project's own packages installed beside it (--no-deps)


# In this order: the images' locks take the project's versions (the ones the tests ran).
LOCKS = (
    Lock("tests/requirements.lock", "tests/requirements.txt"),
    Lock("services/webapp/requirements.lock", "services/webapp/requirements.txt", ("tests/requirements.lock",),
         ("services/photo_jobs", "services/webapp")),
    Lock("lambda_image/requirements.lock", "lambda_image/requirements.txt", ("tests/requirements.lock",),
         ("services/photo_jobs", "lambda_image")),
    Lock("localstack/requirements.lock", "localstack/requirements.txt", ("localstack/constraints.txt",),
         ("localstack/plugins",)),
    Lock("tests/policy-requirements.lock", "tests/policy-requirements.txt"),
    Lock("tests/emulator-requirements.lock", "tests/emulator-requirements.txt"),
)


@dataclass
class Requirements:
    """What a requirements file asks for, its -r files followed."""
    wanted: list[tuple[Requirement, str]]        # each with the file that asks for it (repo-relative)
    constraints: list[Requirement]
    local: list[str]                             # the project's own packages (-e or path lines), repo-relative


def logical_lines(path: Path):
    """A requirements file's lines without comments and continuations."""
    text = re.sub(r"\\\n", " ", path.read_text())
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if line:
            yield line


def read_requirements(path: Path, into: Requirements | None = None, constraint: bool = False) -> Requirements:
    into = into or Requirements([], [], [])
    for line in logical_lines(path):
        option, _, rest = line.partition(" ")
        if option in ("-r", "--requirement", "-c", "--constraint"):
            read_requirements((path.parent / rest.strip()).resolve(), into, constraint or option.startswith(("-c", "--c")))
        elif option in ("-e", "--editable") or line.startswith((".", "/")):
            target = rest.strip() if option in ("-e", "--editable") else line
            into.local.append(relative((path.parent / target).resolve()))
        elif not line.startswith("-"):
            requirement = Requirement(line.split(" --hash")[0].strip())
            if requirement.marker is None or requirement.marker.evaluate(MARKER_ENV):
                (into.constraints.append(requirement) if constraint
                 else into.wanted.append((requirement, relative(path))))
    return into


def relative(path: Path) -> str:
    return os.path.relpath(path, ROOT)


def project(package_dir: str) -> dict:
    return tomllib.loads((ROOT / package_dir / "pyproject.toml").read_text())["project"]


@dataclass
class Locked:
    version: str
    via: list[str]   # "-r FILE" (repo-relative), "-c FILE", or a package's name


def read_lock(lock: Lock) -> dict[str, Locked]:
    """name -> version and what it is there for, from uv's annotations."""
    base = (ROOT / lock.requirements).parent
    locked: dict[str, Locked] = {}
    current = None
    for raw in (ROOT / lock.path).read_text().splitlines():
        line = raw.strip()
        pinned = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^]]*\])?==([^ \\;]+)", line)
        if pinned and not raw.startswith(" "):
            current = locked.setdefault(canonicalize_name(pinned.group(1)), Locked(pinned.group(3), []))
        elif current and line.startswith("#"):
            via = line.lstrip("#").strip()
            via = via.removeprefix("via").strip()
            if via.startswith(("-r ", "-c ")):
                via = f"{via[:2]} {relative((base / via[3:].strip()).resolve())}"
            if via:
                current.via.append(via if via.startswith("-") else str(canonicalize_name(via)))
        elif not line.startswith("--hash"):
            current = None
    return locked


def disagreements(lock: Lock) -> list[str]:
    """How LOCK no longer matches what it is compiled from; empty when it agrees."""
    if not (ROOT / lock.path).exists():
        return [f"{lock.path} is missing"]
    locked = read_lock(lock)
    asked = read_requirements(ROOT / lock.requirements)
    for constraints in lock.constraints:
        if constraints.endswith(".lock"):
            asked.constraints += [Requirement(f"{name}=={entry.version}") for name, entry in
                                  read_lock(next(other for other in LOCKS if other.path == constraints)).items()]
        else:
            read_requirements(ROOT / constraints, asked, constraint=True)
    local = {str(canonicalize_name(project(directory)["name"])): directory for directory in [*asked.local, *lock.local]}
    wanted = list(asked.wanted)
    for name, directory in local.items():
        for line in project(directory).get("dependencies", []):
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(MARKER_ENV):
                wanted.append((requirement, name))

    problems = []
    for requirement, source in wanted:
        name = canonicalize_name(requirement.name)
        if name in local:
            continue
        if name not in locked:
            problems.append(f"{lock.path}: {requirement} ({source}) is not locked")
        elif not requirement.specifier.contains(locked[name].version, prereleases=True):
            problems.append(f"{lock.path}: {requirement} ({source}) but {name}=={locked[name].version} is locked")
    for requirement in asked.constraints:
        name = canonicalize_name(requirement.name)
        if name in locked and not requirement.specifier.contains(locked[name].version, prereleases=True):
            problems.append(f"{lock.path}: constraint {requirement} but {name}=={locked[name].version} is locked")

    # Still needed: asked for by a requirements file or one of the project's packages, or by a
    # locked package that is still needed.
    roots = {(f"-r {source}" if source not in local else source, canonicalize_name(r.name)) for r, source in wanted}
    needed: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, entry in locked.items():
            if name not in needed and any((via, name) in roots or via in needed for via in entry.via):
                needed.add(name)
                changed = True
    problems += [f"{lock.path}: {name} is locked but nothing asks for it any more" for name in locked if name not in needed]
    return problems


def compile_lock(lock: Lock, uv: str, python: str, upgrade: bool) -> None:
    """uv pip compile, run where the requirements file is (its -e and -r paths are relative to it),
    with the project's own packages beside it (from standard input) for their dependencies."""
    where = (ROOT / lock.requirements).parent
    asked = read_requirements(ROOT / lock.requirements)
    own = [project(directory)["name"] for directory in [*asked.local, *lock.local]]
    beside = "".join(f"{os.path.join('.', os.path.relpath(ROOT / directory, where))}\n" for directory in lock.local)
    command = [uv, "pip", "compile", "--quiet", Path(lock.requirements).name, *(["-"] if beside else []),
               "--output-file", Path(lock.path).name,
               "--python", python, "--python-version", PYTHON_VERSION, "--python-platform", PYTHON_PLATFORM,
               "--generate-hashes", "--custom-compile-command", "make lock"]
    command += [arg for constraints in lock.constraints for arg in ("--constraint", os.path.relpath(ROOT / constraints, where))]
    command += [arg for name in own for arg in ("--no-emit-package", name)]
    if upgrade:
        command.append("--upgrade")
    subprocess.run(command, cwd=where, check=True, input=beside, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    relock = commands.add_parser("lock", help="relock every environment (make lock)")
    relock.add_argument("--upgrade", action="store_true", help="take the newest versions the requirements allow")
    relock.add_argument("--uv", default=os.environ.get("UV", "uv"))
    relock.add_argument("--python", default=os.environ.get("VIVIDART_PYTHON", sys.executable))
    commands.add_parser("check", help="exit 1 when a lock no longer agrees with its requirements")
    local = commands.add_parser("local", help="the project's own packages installed beside a lock")
    local.add_argument("lock")
    args = parser.parse_args()

    if args.command == "lock":
        for lock in LOCKS:
            compile_lock(lock, args.uv, args.python, args.upgrade)
        problems = [problem for lock in LOCKS for problem in disagreements(lock)]
    elif args.command == "check":
        problems = [problem for lock in LOCKS for problem in disagreements(lock)]
    else:
        lock = next((lock for lock in LOCKS if lock.path == args.lock), None)
        if lock is None:
            parser.error(f"no such lock: {args.lock}")
        print("\n".join(dict.fromkeys([*read_requirements(ROOT / lock.requirements).local, *lock.local])))
        return 0
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (InvalidRequirement, OSError, subprocess.CalledProcessError) as error:
        print(f"locks: {error}", file=sys.stderr)
        sys.exit(1)
