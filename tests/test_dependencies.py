"""Dependencies that don't move under you (issue 22 item 11): upper bounds in pyproject.toml, uvicorn held
to the minor whose internals web/serve relies on (another one: the queue path, said once), and the exact
versions of constraints.txt installed by CI and the image."""

from __future__ import annotations

import logging
import tomllib
from types import SimpleNamespace

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import ROOT
from wallboard.web.serve import streams, versions

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
OPEN_ENDED = {"tzdata"}  # time-zone data, versioned by year: a bound would hold back new rules


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return {canonical(Requirement(line).name): line.split("==")[1]
            for line in lines if line.strip() and not line.startswith("#")}


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_every_runtime_dependency_has_an_upper_bound() -> None:
    unbounded = [str(r) for r in RUNTIME
                 if r.name not in OPEN_ENDED and not any(s.operator in ("<", "<=", "==", "~=") for s in r.specifier)]
    assert unbounded == []


def test_uvicorn_is_held_to_the_tested_minor_and_standard_is_two_named_parts() -> None:
    uvicorn = next(r for r in RUNTIME if r.name == "uvicorn")
    assert not uvicorn.extras  # not uvicorn[standard]: watchfiles, websockets, dotenv are not used
    (major, minor), = versions.TESTED_UVICORN
    assert Version(f"{major}.{minor}.0") in uvicorn.specifier
    assert Version(f"{major}.{minor + 1}.0") not in uvicorn.specifier
    assert {"httptools", "uvloop"} <= {r.name for r in RUNTIME}
    assert "pandas" in {r.name for r in RUNTIME}


def test_constraints_pin_every_dependency_inside_its_range() -> None:
    pinned = pins()
    wanted = RUNTIME + [Requirement(r) for r in PROJECT["optional-dependencies"]["test"]]
    missing, outside = [], []
    for req in wanted:
        if req.marker is not None and not req.marker.evaluate():
            continue
        version = pinned.get(canonical(req.name))
        if version is None:
            missing.append(req.name)
        elif Version(version) not in req.specifier:
            outside.append(f"{req.name}=={version} not in {req.specifier}")
    assert missing == [] and outside == []
    assert "psycopg-binary" in pinned  # the extra's package too
    assert not {"setuptools", "pip", "wheel", "wallboard"} & set(pinned)  # build tools stay free


def test_ci_and_the_image_install_with_the_constraints() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    first_install = next(line for line in ci if line.startswith("pip install"))
    assert "-c constraints.txt" in first_install
    assert ci.index(first_install) < ci.index("lint-imports")
    docker = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "constraints.txt" in next(line for line in docker.splitlines() if line.startswith("COPY pyproject.toml"))
    assert "pip install --no-cache-dir -c constraints.txt ." in docker


@pytest.fixture
def fresh_check():
    versions.uvicorn_internals.cache_clear()
    yield
    versions.uvicorn_internals.cache_clear()


class _Cycle:  # stands for uvicorn's httptools RequestResponseCycle: what _socket_of looks for
    __module__ = "uvicorn.protocols.http.httptools_impl"

    def __init__(self) -> None:
        self.transport = SimpleNamespace(get_write_buffer_size=lambda: 0)
        self.chunked_encoding = True

    async def send(self, message) -> None:  # noqa: ANN001
        pass


def test_an_untested_uvicorn_takes_the_queue_path_and_says_so_once(fresh_check, monkeypatch, caplog) -> None:
    cycle = _Cycle()
    scope = {"method": "GET"}
    assert versions.installed_uvicorn().startswith("0.55.")  # what the constraints install
    assert streams._socket_of(cycle.send, scope) == (cycle.transport, True)  # tested: straight to the socket
    versions.uvicorn_internals.cache_clear()
    monkeypatch.setattr(versions, "installed_uvicorn", lambda: "0.56.0")
    with caplog.at_level(logging.WARNING, "wallboard.web.serve.versions"):
        for _ in range(3):
            assert streams._socket_of(cycle.send, scope) is None
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "0.56.0" in said[0] and "queue path" in said[0]
