"""The release's rules (scripts/release.py): an environment deployed from an images file runs
exactly the images the pipeline tested, by digest; the settings are read as HCL; the refusals
come before anything reaches AWS. The registry here keeps its images in memory (ECR's API and the
copy are the rehearsal's to exercise, on moto's server: tests/rehearsal)."""

import hashlib
import json

import pytest

import release
from release import Image, ReleaseError
from support import REPO

CANDIDATES = "123456789012.dkr.ecr.us-east-1.amazonaws.com/vividart-delivery/web"
STAGING = "123456789012.dkr.ecr.us-east-1.amazonaws.com/vividart-staging/web"


class Registry:
    """Repositories of images by digest, each with its tags; copies keep the digest unless told."""

    def __init__(self, copies_change_the_digest: bool = False) -> None:
        self.repositories: dict[str, dict[str, list[str]]] = {}
        self.copies = 0
        self.copies_change_the_digest = copies_change_the_digest

    def put(self, repository: str, content: str, tag: str) -> Image:
        digest = "sha256:" + hashlib.sha256(content.encode()).hexdigest()
        self.repositories.setdefault(repository, {}).setdefault(digest, []).append(tag)
        return Image(repository, digest)

    def tags(self, repository, digest):
        found = self.repositories.get(repository, {}).get(digest)
        return None if found is None else list(found)

    def digest_of_tag(self, repository, tag):
        return next((d for d, tags in self.repositories.get(repository, {}).items() if tag in tags), None)

    def copy(self, image, repository, tag):
        self.copies += 1
        digest = image.digest if not self.copies_change_the_digest else "sha256:" + "f" * 64
        self.repositories.setdefault(repository, {}).setdefault(digest, []).append(tag)
        return digest

    def local_id(self, local_image):
        return hashlib.sha256(local_image.encode()).hexdigest()

    def push(self, local_image, repository, tag):
        return self.put(repository, local_image, tag).digest


# --- the promotion rule ----------------------------------------------------------------------------

def test_a_tested_image_is_promoted_with_its_digest_unchanged():
    registry = Registry()
    tested = registry.put(CANDIDATES, "web built by the pipeline", "tested-0123456789abcdef")

    promoted = release.promote(tested, STAGING, registry, frozenset({CANDIDATES}))

    assert promoted == Image(STAGING, tested.digest)
    assert registry.tags(STAGING, tested.digest) == ["tested-0123456789abcdef"]


def test_a_digest_that_was_not_tested_is_refused():
    registry = Registry()
    untested = registry.put(CANDIDATES, "web pushed by hand", "id-0123456789abcdef")

    with pytest.raises(ReleaseError, match="was not tested") as refusal:
        release.promote(untested, STAGING, registry, frozenset({CANDIDATES}))
    assert "carries no tested-* tag" in str(refusal.value)
    assert registry.tags(STAGING, untested.digest) is None  # nothing reached the environment


def test_a_digest_the_candidates_do_not_hold_is_refused():
    registry = Registry()
    registry.put(CANDIDATES, "web built by the pipeline", "tested-0123456789abcdef")
    made_up = Image(CANDIDATES, "sha256:" + "0" * 64)

    with pytest.raises(ReleaseError, match="does not exist: refusing to deploy an image that was not tested"):
        release.promote(made_up, STAGING, registry, frozenset({CANDIDATES}))


def test_an_image_from_outside_the_pipelines_repositories_is_refused_even_with_a_tested_tag():
    registry = Registry()
    elsewhere = registry.put(STAGING, "web tagged tested by hand", "tested-0123456789abcdef")

    with pytest.raises(ReleaseError, match="not in the pipeline's candidate repositories"):
        release.promote(elsewhere, STAGING, registry, frozenset({CANDIDATES}))


def test_a_copy_that_changes_the_digest_is_refused():
    registry = Registry(copies_change_the_digest=True)
    tested = registry.put(CANDIDATES, "web built by the pipeline", "tested-0123456789abcdef")

    with pytest.raises(ReleaseError, match="changed its digest"):
        release.promote(tested, STAGING, registry, frozenset({CANDIDATES}))


def test_without_the_candidate_repositories_named_nothing_is_promoted():
    """Else any image tagged tested-* anywhere would pass, even one a deploy tagged itself in its
    own environment's repository."""
    registry = Registry()
    tagged_by_hand = registry.put(STAGING, "web tagged tested by a deploy", "tested-0123456789abcdef")
    with pytest.raises(ReleaseError, match="candidate repositories are not named"):
        release.promote(tagged_by_hand, STAGING, registry, frozenset())


def test_an_image_already_in_the_environment_is_not_copied_again():
    registry = Registry()
    tested = registry.put(CANDIDATES, "web built by the pipeline", "tested-0123456789abcdef")
    release.promote(tested, STAGING, registry, frozenset({CANDIDATES}))
    release.promote(tested, STAGING, registry, frozenset({CANDIDATES}))  # production after staging, or a deploy run again
    assert registry.copies == 1


def test_publishing_tags_each_image_as_tested_by_its_own_id_once():
    registry = Registry()
    repositories = {"processor": CANDIDATES.replace("web", "photo-processor"), "web": CANDIDATES}
    built = {"processor": "vividart/photo-processor:src-1", "web": "vividart/web:local"}

    first = release.publish(built, repositories, registry)
    again = release.publish(built, repositories, registry)

    assert first == again
    for name, image in first.items():
        assert registry.tags(image.repository, image.digest) == ["tested-" + registry.local_id(built[name])[:16]]
    # and what was published is what a deploy may promote
    assert release.promote(first["web"], STAGING, registry, frozenset(repositories.values())).digest == first["web"].digest


# --- what the release reads ------------------------------------------------------------------------

def test_images_are_named_by_digest_only(tmp_path):
    good = "1.dkr.ecr.us-east-1.amazonaws.com/p@sha256:" + "a" * 64
    assert str(Image.parse(good)) == good
    for bad in ("1.dkr.ecr.us-east-1.amazonaws.com/p:latest", "p@sha256:short", ""):
        with pytest.raises(ReleaseError):
            Image.parse(bad)
    images = tmp_path / "images.json"
    images.write_text(json.dumps({"processor": good, "web": "1.dkr.ecr.us-east-1.amazonaws.com/w:latest"}))
    with pytest.raises(ReleaseError, match="names no web image by digest"):
        release.read_images(images)
    images.write_text(json.dumps({"processor": good, "web": good}))
    assert set(release.read_images(images)) == {"processor", "web"}


@pytest.fixture
def environments(tmp_path):
    """A copy of the environments' settings and the naming rule."""
    import shutil

    shutil.copytree(REPO / "terraform" / "environments", tmp_path / "environments", ignore=shutil.ignore_patterns(".terraform"))
    (tmp_path / "state").mkdir()
    shutil.copy2(REPO / "terraform" / "state" / "naming.json", tmp_path / "state")
    return tmp_path


def test_only_staging_and_production_are_released(environments):
    for name in ("local", "qa", "../staging"):
        with pytest.raises(ReleaseError, match="staging or production"):
            release.environment(name, environments)


def test_placeholders_are_refused_by_line_then_the_settings_read_as_hcl(environments):
    settings = environments / "environments" / "production" / "terraform.tfvars"
    with pytest.raises(ReleaseError) as refusal:
        release.environment("production", environments)
    lines = [f"{n}:{line.split()[0]}" for n, line in enumerate(settings.read_text().splitlines(), 1)
             if line.startswith(("domain_name", "hosted_zone_id", "studio_email"))]
    assert len(lines) == 3 and all(f"\n{line}" in str(refusal.value) for line in lines)

    settings.write_text(settings.read_text().replace("example.com", "vividart.photos").replace('"EDIT-ME"', '"Z0123456789ABC"')
                        + 'name = "studio" # another project name\n')
    env = release.environment("production", environments)
    assert env.settings["domain_name"] == "studio.vividart.photos" and env.settings["alarm_email"] == ""
    assert (env.region, env.project, env.backend["key"]) == ("us-east-1", "studio", "production/terraform.tfstate")
    assert release.state_bucket(env.project, "123456789012", env.backend["region"], environments) == "studio-tfstate-123456789012-us-east-1"


def test_the_command_line_refuses_before_it_needs_the_network(monkeypatch, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    assert release.main(["deploy", "qa", "--images-file", "x"]) == 1
    assert "staging or production" in capsys.readouterr().err
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    assert release.main(["deploy", "staging", "--images-file", "x"]) == 1
    assert "real AWS credentials" in capsys.readouterr().err
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.delenv("PUBLISH_PROCESSOR_REPOSITORY", raising=False)
    assert release.main(["publish", "--processor", "p", "--web", "w"]) == 1
    assert "PUBLISH_PROCESSOR_REPOSITORY" in capsys.readouterr().err
