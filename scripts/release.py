#!/usr/bin/env python3
"""The release to AWS: which images an environment runs, and how they get there.

    release.py deploy ENVIRONMENT [--images-file images.json] [--processor IMAGE --web IMAGE]
    release.py publish --processor IMAGE --web IMAGE --images-file build/images.json
    release.py output ENVIRONMENT NAME

The rule it keeps: an environment deployed from an images file runs exactly the images the
pipeline tested, by digest. `publish` (the pipeline's build stage, after `make test` passed)
pushes the two images it tested into the pipeline's candidate repositories, tags each
`tested-<image id>`, and names them by digest in images.json. `deploy` with that file copies each
into the environment's own repository and refuses an image that is not in a candidate repository,
that carries no tested tag there, or whose digest the copy changed. Without an images file,
`deploy` pushes the images built on this machine (a developer's deploy; nothing was tested).

What it reads: the environment's settings (terraform/environments/<env>/terraform.tfvars) and its
state's key and region (s3.tfbackend) with an HCL parser; the state bucket's name from the rule
terraform/state/naming.json holds. scripts/deploy_aws.sh calls it; the rehearsal
(scripts/rehearse_aws.py) runs the same functions against an AWS emulator.
Needs boto3, python-hcl2, Terraform, and Docker for images built here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import string
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parent.parent
TERRAFORM = ROOT / "terraform"
ENVIRONMENTS = ("staging", "production")
IMAGES = ("processor", "web")
TESTED = "tested-"  # the tag prefix publish gives an image whose tests passed
PLACEHOLDER = re.compile(r"example\.com|EDIT-ME")
DIGEST_REFERENCE = re.compile(r"^(?P<repository>[^@\s]+)@(?P<digest>sha256:[0-9a-f]{64})$")
ECR_REPOSITORY_URL = re.compile(r"^\d{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<name>[a-z0-9._/-]+)$")


class ReleaseError(Exception):
    """A release refused or failed; the message says why, in the deployer's terms."""


# --- what the release reads -------------------------------------------------------------------------

@dataclass(frozen=True)
class Image:
    """An image by digest: <repository URL>@sha256:<64 hex digits>."""

    repository: str
    digest: str

    @classmethod
    def parse(cls, text: str) -> Image:
        match = DIGEST_REFERENCE.match(text or "")
        if not match:
            raise ReleaseError(f"{text!r} is not an image by digest (<repository>@sha256:<64 hex digits>)")
        return cls(match["repository"], match["digest"])

    def __str__(self) -> str:
        return f"{self.repository}@{self.digest}"


def repository_name(url: str) -> str:
    """The repository's name in its registry: what follows the registry's host."""
    return url.split("/", 1)[1] if "/" in url else url


def read_hcl(path: Path) -> dict:
    """A flat HCL file (.tfvars, .tfbackend) as a dict, strings unquoted."""
    import hcl2

    with open(path) as file:
        parsed = hcl2.load(file)
    return {key: value.strip('"') if isinstance(value, str) else value
            for key, value in parsed.items() if not key.startswith("__")}


@dataclass(frozen=True)
class Environment:
    """One AWS environment's root and settings (terraform/environments/<name>)."""

    name: str
    root: Path
    settings: dict
    backend: dict

    @property
    def region(self) -> str:
        return self.settings.get("region", "us-east-1")

    @property
    def project(self) -> str:
        return self.settings.get("name", "vividart")


def placeholders(path: Path) -> list[str]:
    """'line:name' for each setting whose value still holds a placeholder (the lines marked EDIT)."""
    found = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        code = line.split("#", 1)[0]
        if "=" in code and PLACEHOLDER.search(code.split("=", 1)[1]):
            found.append(f"{number}:{code.split('=', 1)[0].strip()}")
    return found


def environment(name: str, terraform_dir: Path = TERRAFORM) -> Environment:
    """The environment's settings, or a refusal that needs no network."""
    if name not in ENVIRONMENTS:
        raise ReleaseError(f"ENVIRONMENT must be staging or production (terraform/environments/), not {name!r}")
    root = terraform_dir / "environments" / name
    tfvars, backend = root / "terraform.tfvars", root / "s3.tfbackend"
    for path in (tfvars, backend):
        if not path.is_file():
            raise ReleaseError(f"missing {path}")
    left = placeholders(tfvars)
    if left:
        raise ReleaseError(f"{tfvars} still holds placeholders (the lines marked EDIT):\n" + "\n".join(left))
    return Environment(name, root, read_hcl(tfvars), read_hcl(backend))


def state_bucket(project: str, account: str, region: str, terraform_dir: Path = TERRAFORM) -> str:
    """The state bucket's name, by the one rule terraform/state and terraform/delivery read too."""
    rule = json.loads((terraform_dir / "state" / "naming.json").read_text())["state_bucket"]
    return string.Template(rule).substitute(name=project, account=account, region=region)


def read_images(path: Path) -> dict[str, Image]:
    """The images a build tested, by digest (images.json: {"processor": ..., "web": ...})."""
    try:
        named = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ReleaseError(f"cannot read the images file {path}: {error}") from None
    images = {}
    for image in IMAGES:
        try:
            images[image] = Image.parse(named.get(image, "") if isinstance(named, dict) else "")
        except ReleaseError:
            raise ReleaseError(f"{path} names no {image} image by digest (<repository>@sha256:...)") from None
    return images


# --- the promotion rule -------------------------------------------------------------------------------

class Registry(Protocol):
    """Where images live: ECR's API, and a way to move an image's bytes."""

    def tags(self, repository: str, digest: str) -> list[str] | None:
        """The image's tags in the repository; None when it is not there."""

    def digest_of_tag(self, repository: str, tag: str) -> str | None:
        """The digest of the image the tag names in the repository; None when there is none."""

    def copy(self, image: Image, repository: str, tag: str) -> str:
        """Put the image into the repository under the tag; the digest it has there."""

    def push(self, local_image: str, repository: str, tag: str) -> str:
        """Push an image built here into the repository under the tag; the digest it has there."""

    def local_id(self, local_image: str) -> str:
        """The ID of an image built here (the same image has the same ID)."""


def tested_tag(tags: list[str]) -> str | None:
    return next((tag for tag in tags if tag.startswith(TESTED)), None)


def promote(tested: Image, repository: str, registry: Registry, tested_repositories: frozenset[str]) -> Image:
    """The tested image in the environment's repository, its digest unchanged; or a refusal.

    Refused: no candidate repositories named (without them any image tagged tested-* anywhere,
    even one a deploy tagged in its own environment's repository, would pass), an image outside
    them, one not found there, one that carries no tested tag there (its tests did not pass), and
    a copy whose digest differs (the environment would run something that was not tested)."""
    if not tested_repositories:
        raise ReleaseError("the pipeline's candidate repositories are not named (VIVIDART_TESTED_REPOSITORIES, "
                           "as its deploy projects set it): refusing to tell a tested image from any other")
    if tested.repository not in tested_repositories:
        raise ReleaseError(f"{tested} is not in the pipeline's candidate repositories ({', '.join(sorted(tested_repositories))}): "
                           "refusing to deploy an image that was not tested")
    tags = registry.tags(tested.repository, tested.digest)
    if tags is None:
        raise ReleaseError(f"{tested} does not exist: refusing to deploy an image that was not tested")
    tag = tested_tag(tags)
    if tag is None:
        raise ReleaseError(f"{tested} carries no {TESTED}* tag (its tags: {', '.join(tags) or 'none'}): "
                           "refusing to deploy an image that was not tested")
    if registry.tags(repository, tested.digest) is None:
        copied = registry.copy(tested, repository, tag)
        if copied != tested.digest:
            raise ReleaseError(f"copying {tested} into {repository} changed its digest to {copied}: "
                               "refusing to deploy an image that was not tested")
    return Image(repository, tested.digest)


def push_built_here(local_image: str, repository: str, registry: Registry, prefix: str = "id-") -> Image:
    """An image built on this machine in the repository, tagged by its own ID (pushed once)."""
    tag = prefix + registry.local_id(local_image)[:16]
    digest = registry.digest_of_tag(repository, tag)
    if digest is None:
        digest = registry.push(local_image, repository, tag)
    return Image(repository, digest)


# --- registries -----------------------------------------------------------------------------------------

class Ecr:
    """ECR's API (describe, and the image's manifest), through boto3."""

    def __init__(self, aws: Aws, region: str) -> None:
        self.client = aws.client("ecr", region)

    def _describe(self, repository: str, image_id: dict) -> dict | None:
        errors = self.client.exceptions
        try:
            found = self.client.describe_images(repositoryName=repository_name(repository), imageIds=[image_id])["imageDetails"]
        except (errors.ImageNotFoundException, errors.RepositoryNotFoundException):
            return None
        return found[0] if found else None

    def tags(self, repository: str, digest: str) -> list[str] | None:
        found = self._describe(repository, {"imageDigest": digest})
        return None if found is None else list(found.get("imageTags", []))

    def digest_of_tag(self, repository: str, tag: str) -> str | None:
        found = self._describe(repository, {"imageTag": tag})
        return None if found is None else found["imageDigest"]


class DockerEcr(Ecr):
    """ECR, with the images' bytes moved by Docker (pull, tag, push): AWS's registry protocol."""

    def _docker(self, *args: str) -> str:
        result = subprocess.run(["docker", *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise ReleaseError(f"docker {' '.join(args)} failed: {result.stderr.strip()[-2000:]}")
        return result.stdout.strip()

    def _login(self, repository: str) -> None:
        import base64

        token = self.client.get_authorization_token()["authorizationData"][0]
        user, password = base64.b64decode(token["authorizationToken"]).decode().split(":", 1)
        subprocess.run(["docker", "login", "--username", user, "--password-stdin", repository.split("/", 1)[0]],
                       input=password, capture_output=True, text=True, check=True)

    def local_id(self, local_image: str) -> str:
        return self._docker("image", "inspect", "-f", "{{.Id}}", local_image).removeprefix("sha256:")

    def push(self, local_image: str, repository: str, tag: str) -> str:
        self._login(repository)
        self._docker("tag", local_image, f"{repository}:{tag}")
        self._docker("push", "-q", f"{repository}:{tag}")
        digest = self.digest_of_tag(repository, tag)
        if digest is None:
            raise ReleaseError(f"{repository}:{tag} has no digest in ECR after the push")
        return digest

    def copy(self, image: Image, repository: str, tag: str) -> str:
        self._login(image.repository)
        self._docker("pull", "-q", str(image))
        return self.push(str(image), repository, tag)


class ManifestEcr(Ecr):
    """ECR where a registry shares its layers between repositories (an emulator's): an image is
    its manifest, copied with BatchGetImage and PutImage. AWS's ECR refuses a manifest whose
    layers the target repository lacks, so there DockerEcr moves the bytes."""

    MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"

    def local_id(self, local_image: str) -> str:
        return hashlib.sha256(local_image.encode()).hexdigest()

    def push(self, local_image: str, repository: str, tag: str) -> str:
        layer = "sha256:" + self.local_id(local_image)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": self.MEDIA_TYPE,
                               "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": layer},
                               "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1, "digest": layer}]})
        return self._put(repository, manifest, self.MEDIA_TYPE, tag)

    def copy(self, image: Image, repository: str, tag: str) -> str:
        [found] = self.client.batch_get_image(repositoryName=repository_name(image.repository),
                                              imageIds=[{"imageDigest": image.digest}])["images"]
        return self._put(repository, found["imageManifest"], found.get("imageManifestMediaType", self.MEDIA_TYPE), tag)

    def _put(self, repository: str, manifest: str, media_type: str, tag: str) -> str:
        return self.client.put_image(repositoryName=repository_name(repository), imageManifest=manifest,
                                     imageManifestMediaType=media_type, imageTag=tag)["image"]["imageId"]["imageDigest"]


# --- AWS and Terraform ---------------------------------------------------------------------------------

@dataclass
class Aws:
    """boto3 clients: the SDK's own credentials chain, or an emulator's endpoint and keys."""

    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    verify: str | None = None  # a CA bundle for the endpoint's certificate

    def client(self, service: str, region: str):
        import boto3

        return boto3.client(service, region_name=region, endpoint_url=self.endpoint_url, verify=self.verify,
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)


@dataclass
class Terraform:
    """Terraform in one root, with its working data (TF_DATA_DIR) outside the repository."""

    binary: str
    root: Path
    env: dict = field(default_factory=dict)
    backend_config: list[str] = field(default_factory=list)  # extra -backend-config arguments
    log: object = sys.stderr
    timeout: float | None = None  # seconds one command may take (an emulator that never answers)

    def run(self, *args: str, capture: bool = False) -> str:
        try:
            result = subprocess.run([self.binary, f"-chdir={self.root}", *args], env={**os.environ, **self.env},
                                    stdout=subprocess.PIPE if capture else self.log, stderr=self.log, text=True,
                                    timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise ReleaseError(f"terraform {args[0]} took more than {self.timeout:.0f} s in {self.root}") from None
        if result.returncode != 0:
            raise ReleaseError(f"terraform {args[0]} failed in {self.root} (exit {result.returncode})")
        return result.stdout if capture else ""

    def init(self, backend_file: Path, bucket: str) -> None:
        self.run("init", "-input=false", "-no-color", "-reconfigure", "-lockfile=readonly",
                 f"-backend-config={backend_file}", f"-backend-config=bucket={bucket}",
                 *[f"-backend-config={extra}" for extra in self.backend_config])

    def apply(self, variables: dict[str, str] | None = None, targets: tuple[str, ...] = ()) -> None:
        self.run("apply", "-input=false", "-auto-approve", "-no-color", *[f"-target={t}" for t in targets],
                 *[f"-var={name}={value}" for name, value in (variables or {}).items()])

    def outputs(self) -> dict:
        return {name: output["value"] for name, output in json.loads(self.run("output", "-json", capture=True)).items()}


def default_terraform(root: Path, data_dir: Path) -> Terraform:
    """The bootstrap's Terraform and its provider mirror where it ran (a laptop), else the machine's (CodeBuild)."""
    cache = Path(os.environ.get("VIVIDART_CACHE", Path.home() / ".cache" / "vividart"))
    env = {"TF_IN_AUTOMATION": "1", "TF_DATA_DIR": str(data_dir)}
    binary = shutil.which("terraform")
    if (cache / "terraform-bin").is_file():
        binary = (cache / "terraform-bin").read_text().strip()
        env["TF_CLI_CONFIG_FILE"] = str(cache / "terraform.rc")
    if not binary:
        raise ReleaseError("Terraform is needed")
    return Terraform(binary, root, env)


# --- deploy and publish --------------------------------------------------------------------------------

def preflight(env: Environment, aws: Aws, terraform_dir: Path = TERRAFORM) -> tuple[str, str]:
    """Before anything is built or applied: these credentials work, and the state bucket exists.
    The account and the bucket."""
    try:
        account = aws.client("sts", env.region).get_caller_identity()["Account"]
    except Exception as error:  # noqa: BLE001 - any failure here means the same to the deployer
        raise ReleaseError(f"these AWS credentials do not work (sts get-caller-identity: {error})") from None
    state_region = env.backend.get("region", env.region)
    bucket = state_bucket(env.project, account, state_region, terraform_dir)
    try:
        aws.client("s3", state_region).head_bucket(Bucket=bucket)
    except Exception:  # noqa: BLE001
        raise ReleaseError(f"no state bucket {bucket} in {state_region}: apply terraform/state first (README, Deploying to AWS)") from None
    return account, bucket


def deploy(env: Environment, *, aws: Aws, terraform: Terraform, registry: Registry, tested: dict[str, Image] | None = None,
           built_here: dict[str, str] | None = None, tested_repositories: frozenset[str] = frozenset(),
           terraform_dir: Path = TERRAFORM, say=print) -> dict:
    """Apply the environment's root with both images by digest; its outputs.

    With `tested` (an images file's), each image is promoted (the rule above); with
    `built_here` (local image names), each is pushed. The repositories are made first, by a
    targeted apply: the function and the service need their images in them."""
    if (tested is None) == (built_here is None):
        raise ReleaseError("deploy either the tested images (an images file) or images built here, one of the two")
    account, bucket = preflight(env, aws, terraform_dir)
    say(f"deploying {env.name} to account {account}, {env.region} (state: s3://{bucket}/{env.backend['key']})")

    terraform.init(env.root / "s3.tfbackend", bucket)
    terraform.apply(targets=("module.images",))
    outputs = terraform.outputs()
    repositories = {"processor": outputs.get("ecr_repository_url", ""), "web": outputs.get("web_ecr_repository_url", "")}
    if not all(repositories.values()):
        raise ReleaseError(f"the {env.name} root names no image repositories (outputs ecr_repository_url, web_ecr_repository_url)")
    if tested is not None:
        images = {name: promote(tested[name], repositories[name], registry, tested_repositories) for name in IMAGES}
    else:
        images = {name: push_built_here(built_here[name], repositories[name], registry) for name in IMAGES}
    say(f"images: {images['processor']}, {images['web']}")
    terraform.apply({"lambda_image_uri": str(images["processor"]), "web_image_uri": str(images["web"])})
    return terraform.outputs()


def publish(built_here: dict[str, str], repositories: dict[str, str], registry: Registry) -> dict[str, Image]:
    """The pipeline's build stage, after its tests passed: each image pushed into its candidate
    repository, tagged tested-<image id>; what images.json names."""
    return {name: push_built_here(built_here[name], repositories[name], registry, prefix=TESTED) for name in IMAGES}


def write_images(images: dict[str, Image], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({name: str(image) for name, image in images.items()}, indent=2) + "\n")


# --- the command line ------------------------------------------------------------------------------------

def run_dir() -> Path:
    return Path(os.environ.get("VIVIDART_RUN_DIR", ROOT / ".run"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    deploying = commands.add_parser("deploy", help="apply an environment with both images by digest")
    deploying.add_argument("environment")
    deploying.add_argument("--images-file", type=Path, help="images.json of a build: deploy exactly those, tested, images")
    deploying.add_argument("--processor", help="the processor image built here (without --images-file)")
    deploying.add_argument("--web", help="the web image built here (without --images-file)")
    deploying.add_argument("--check-only", action="store_true", help="only the refusals, and that the credentials and the state bucket work")
    publishing = commands.add_parser("publish", help="push the images built here as tested, and name them in an images file")
    publishing.add_argument("--processor", required=True)
    publishing.add_argument("--web", required=True)
    publishing.add_argument("--images-file", type=Path, default=Path("build/images.json"))
    output = commands.add_parser("output", help="one output of the environment's last deploy from here")
    output.add_argument("environment")
    output.add_argument("name")
    args = parser.parse_args(argv)
    try:
        if args.command == "output":
            outputs = json.loads((run_dir() / f"aws-{args.environment}" / "outputs.json").read_text())
            print(outputs[args.name])
            return 0
        # refusals first, in the order a deployer fixes them; none of these needs the network
        if args.command == "deploy" and args.environment not in ENVIRONMENTS:
            raise ReleaseError(f"ENVIRONMENT must be staging or production (terraform/environments/), not {args.environment!r}")
        if os.environ.get("AWS_ACCESS_KEY_ID") == "test":
            raise ReleaseError("set real AWS credentials (AWS_PROFILE, SSO, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a role), "
                               "not LocalStack's test keys")
        if args.command == "deploy":
            env = environment(args.environment)
            tested = read_images(args.images_file) if args.images_file else None
            if tested is None and not (args.processor and args.web):
                raise ReleaseError("deploy: --images-file, or --processor and --web (images built here)")
            if args.check_only:  # and then what needs the network, before anything is built
                preflight(env, Aws())
                return 0
        if args.command == "publish":
            repositories = {name: os.environ.get(f"PUBLISH_{name.upper()}_REPOSITORY", "") for name in IMAGES}
            if not all(repositories.values()):
                raise ReleaseError("publish: set PUBLISH_PROCESSOR_REPOSITORY and PUBLISH_WEB_REPOSITORY (the pipeline's build project sets them)")
            match = ECR_REPOSITORY_URL.match(repositories["processor"])
            if not match:
                raise ReleaseError(f"PUBLISH_PROCESSOR_REPOSITORY is not an ECR repository URL: {repositories['processor']}")
            images = publish({"processor": args.processor, "web": args.web}, repositories, DockerEcr(Aws(), match["region"]))
            write_images(images, args.images_file)
            print(args.images_file.read_text(), end="")
            return 0
        work = run_dir() / f"aws-{env.name}"
        tested_repositories = frozenset(filter(None, os.environ.get("VIVIDART_TESTED_REPOSITORIES", "").split(",")))
        outputs = deploy(env, aws=Aws(), terraform=default_terraform(env.root, work / ".terraform"),
                         registry=DockerEcr(Aws(), env.region), tested=tested,
                         built_here=None if tested else {"processor": args.processor, "web": args.web},
                         tested_repositories=tested_repositories, say=lambda line: print(line, file=sys.stderr))
        work.mkdir(parents=True, exist_ok=True)
        (work / "outputs.json").write_text(json.dumps(outputs, indent=2) + "\n")
        print(json.dumps(outputs, indent=2))
        return 0
    except ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
