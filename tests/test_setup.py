"""make venv and make run: uv is pointed at the indexes pip is configured with, make lock keeps the
build requirements, and make run's side-by-side notebooks come back in notebook order."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import bootstrap  # noqa: E402
import run_notebooks  # noqa: E402

# What `pip config list` prints on a machine like this one: a global file, a user file whose
# install section overrides it, and PIP_* variables over both.
LISTING = """\
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
global.index-url='https://mirror.example/simple'
install.index-url='https://install.example/simple'
:env:.default-timeout='180'
:env:.find-links='/opt/wheels /srv/more-wheels'
global.constraint='/etc/xdg/pip/constraints.txt'
global.trusted-host='mirror.example install.example'
"""


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(bootstrap.os.environ):
        if name.startswith("UV_") or name in ("SSL_CERT_FILE", "HTTPS_PROXY", "HTTP_PROXY"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_pip_configuration_is_read_with_pips_precedence():
    pip = bootstrap.parse_pip_config(LISTING)
    assert pip["index-url"] == "https://install.example/simple"  # install over global
    assert pip["find-links"] == "/opt/wheels /srv/more-wheels"  # PIP_FIND_LINKS over the files
    assert pip["timeout"] == "180"  # default-timeout is pip's other name for it
    assert pip["extra-index-url"] == "file:///opt/pypi/simple file:///opt/pypi-more/simple"


def test_uv_gets_every_index_pip_uses(clean_env):
    env = bootstrap.uv_environment(bootstrap.parse_pip_config(LISTING))
    assert env["UV_INDEX_URL"] == "https://install.example/simple"
    assert env["UV_EXTRA_INDEX_URL"] == "file:///opt/pypi/simple file:///opt/pypi-more/simple"
    assert env["UV_FIND_LINKS"] == "/opt/wheels,/srv/more-wheels"  # uv's list is comma-separated
    assert env["UV_CONSTRAINT"] == "/etc/xdg/pip/constraints.txt"
    assert env["UV_INSECURE_HOST"] == "mirror.example install.example"
    assert env["UV_HTTP_TIMEOUT"] == "180"
    assert env["SSL_CERT_FILE"] == "/etc/ssl/certs/ca-certificates.crt"
    # pip picks the best version among all indexes; uv's default would stop at the first index
    # that has the package, and miss a pin only PyPI has.
    assert env["UV_INDEX_STRATEGY"] == "unsafe-best-match"
    assert env["UV_PYTHON_DOWNLOADS"] == "never"


def test_without_pip_configuration_uv_keeps_its_defaults(clean_env):
    env = bootstrap.uv_environment({})
    assert not {"UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_FIND_LINKS"} & set(env)


def test_uvs_own_settings_win(clean_env):
    clean_env.setenv("UV_INDEX_URL", "https://mine.example/simple")
    clean_env.setenv("UV_FIND_LINKS", "/mine")
    env = bootstrap.uv_environment(bootstrap.parse_pip_config(LISTING))
    assert env["UV_INDEX_URL"] == "https://mine.example/simple"
    assert "UV_EXTRA_INDEX_URL" not in env  # the user chose uv's indexes: pip's are not added
    assert env["UV_FIND_LINKS"] == "/mine"


def test_no_index_in_pip_means_no_index_in_uv(clean_env):
    env = bootstrap.uv_environment({"no-index": "true", "find-links": "/opt/wheels"})
    assert env["UV_NO_INDEX"] == "1" and env["UV_FIND_LINKS"] == "/opt/wheels"


def test_lock_pins_the_build_requirements_too():
    """The editable install builds without isolation, with the setuptools requirements.txt pins."""
    assert bootstrap.build_requirements() == ["setuptools>=68"]
    pins = (REPO / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("setuptools==") for line in pins)


def test_the_make_venv_rule_runs_the_bootstrap():
    rule = (REPO / "Makefile").read_text().split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "scripts/bootstrap.py" in rule.splitlines()[0]  # a change to it rebuilds .venv
    assert "$(PYTHON) scripts/bootstrap.py --venv $(VENV)" in rule


def fake_execute(path: Path, env: dict) -> str:
    # The first notebooks take longest, so that they finish last.
    time.sleep(0.05 * (5 - int(path.stem)))
    return f"ran {path.stem} with {env['TUTORIAL_REPORT_DIR']}"


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_notebooks_side_by_side_come_back_in_order(monkeypatch, jobs):
    monkeypatch.setattr(run_notebooks, "execute", fake_execute)  # the forked workers inherit it
    paths = [Path(f"{n}.ipynb") for n in range(5)]
    runs = list(run_notebooks.executed(paths, {"TUTORIAL_REPORT_DIR": "r"}, jobs))
    assert runs == [f"ran {n} with r" for n in range(5)]
