"""The shipped demo reads the sample exports in the repository's own data/ through csv and excel."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.test_init import wallboard
from wallboard.config import load_config


def test_demo_config_reads_the_repositorys_sample_exports(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("*.db", "*.db-*"))
    loaded = load_config(tmp_path / "config.yaml")
    assert loaded.warnings == ()  # the boundary files named under regions: are there
    types = {s.id: s.type for s in loaded.config.sources}
    assert types["harga_pangan"] == "csv" and types["kasus_dbd"] == "excel"
    result = wallboard("collect", "--once", "--source", "harga_pangan", "--source", "kasus_dbd", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:-1]}
    assert rows["harga_pangan"][2:5] == ["ok", "28", "0"] and rows["kasus_dbd"][2:5] == ["ok", "10", "0"]


def test_samples_are_tracked_and_the_store_is_not() -> None:
    """Asked of .gitignore itself with git's own matcher, in a scratch repository: the suite also
    runs in a copy of the checkout that has no .git (.ci/run)."""
    import shutil
    import tempfile

    scratch = Path(tempfile.mkdtemp())
    shutil.copy(ROOT / ".gitignore", scratch / ".gitignore")
    subprocess.run(["git", "init", "-q", str(scratch)], check=True)

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=scratch).returncode == 0

    assert ignored("data/wallboard.db") and ignored("data/wallboard.db-wal")
    assert not ignored("data/disperindag_harga_pangan.csv") and not ignored("data/dinkes_kasus_dbd.xlsx")
    assert not ignored("data/regions/12.75-kecamatan.geojson")
