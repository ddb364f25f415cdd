"""A wheel install works outside the checkout: configs and schema come from package data, not the source tree.

The wheel is built from this checkout and installed, without dependencies, into a fresh virtualenv in a temp dir.
The dependencies (spaCy, the English pipeline, ...) are borrowed from the running environment by a plain path entry
in a .pth file, which adds that site-packages folder to sys.path without running its .pth files, so the editable
install of this checkout stays invisible: `annotate` must come from the wheel. Every command runs from a temp
folder with no configs/ in it.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration  # builds and installs a wheel: out of the fast path


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools writes build/ and *.egg-info into the folder it builds.
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info",
                                                                "__pycache__", "out", ".annotate", "test-artifacts"))
    dist = work / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                            str(dist), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(dist.glob("annotate_claims-*.whl"))

    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    borrowed = [path for path in site.getsitepackages() + [sysconfig.get_path("purelib")] if Path(path).is_dir()]
    (purelib / "borrowed_dependencies.pth").write_text("\n".join(dict.fromkeys(borrowed)) + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(purelib),
                                str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return {"python": python, "purelib": purelib, "cwd": work}


def run(wheel_env: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "ANNOTATE_CONFIG_DIR", "VIRTUAL_ENV"}}
    return subprocess.run([str(wheel_env["python"]), "-m", "annotate", *args], cwd=wheel_env["cwd"], env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_wheel_ships_its_configs_and_is_the_code_that_runs(wheel_env):
    where = subprocess.run([str(wheel_env["python"]), "-c", "import annotate; print(annotate.__file__)"],
                           cwd=wheel_env["cwd"], capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(wheel_env["purelib"]), where
    configs = wheel_env["purelib"] / "annotate" / "configs"
    assert {"schema.toml", "boilerplate.toml", "preannotate.toml", "labeling.xml"} <= {p.name for p in configs.iterdir()}


def test_ingest_preannotate_render_and_stats_from_an_installed_wheel(wheel_env):
    cwd = wheel_env["cwd"]
    raw = cwd / "raw"
    raw.mkdir()
    for source in sorted((ROOT / "gold" / "seed" / "raw").glob("*.txt"))[:2]:
        (raw / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")

    ingested = run(wheel_env, "ingest", "raw", "-o", "articles.jsonl")
    assert ingested.returncode == 0, ingested.stderr
    assert len((cwd / "articles.jsonl").read_text().splitlines()) == 2

    predicted = run(wheel_env, "preannotate", "articles.jsonl", "-o", "predictions.jsonl")
    assert predicted.returncode == 0, predicted.stderr
    records = [json.loads(line) for line in (cwd / "predictions.jsonl").read_text().splitlines()]
    assert all(any(span["label"] == "CUE" for span in record["spans"]) for record in records)

    shown = run(wheel_env, "schema", "show")
    assert shown.returncode == 0, shown.stderr
    assert f"Schema in use: {wheel_env['purelib'] / 'annotate' / 'configs' / 'schema.toml'}" in shown.stderr
    rendered = run(wheel_env, "schema", "render", "-o", "labeling.xml")
    assert rendered.returncode == 0, rendered.stderr
    assert (cwd / "labeling.xml").read_text().startswith("<View")

    stats = run(wheel_env, "stats", "predictions.jsonl", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["overview"]["documents"] == 2


def test_a_users_config_dir_overrides_the_packaged_schema(wheel_env, tmp_path):
    packaged = (wheel_env["purelib"] / "annotate" / "configs" / "schema.toml").read_text(encoding="utf-8")
    (tmp_path / "schema.toml").write_text(packaged.replace('version = "', 'version = "team-', 1), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    shown = subprocess.run([str(wheel_env["python"]), "-m", "annotate", "schema", "show"], cwd=wheel_env["cwd"],
                           env={**env, "ANNOTATE_CONFIG_DIR": str(tmp_path)}, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert f"Schema in use: {tmp_path / 'schema.toml'}" in shown.stderr
    assert json.loads(shown.stdout)["version"].startswith("team-")
