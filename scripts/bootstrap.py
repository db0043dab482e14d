"""make venv: create .venv from requirements.txt, with uv when it can be had, else with pip.

Run by the Python that creates the virtual environment (``make venv PYTHON=python3.12`` picks
another). What it does, in order:

1. Finds uv: one on PATH (0.5 or newer), else the copy under build/uv from an earlier set-up, else
   installs the pinned release (``UV_VERSION``) there from the package index with this Python's pip
   (2-8 s). Meanwhile ``python -m venv --without-pip .venv`` creates the environment and pip reports
   its configuration.
2. Points uv at the package indexes pip is configured with here (pip.conf files and PIP_* variables,
   as ``pip config list`` reports them): index-url, extra-index-url, find-links, no-index, cert,
   trusted-host, constraint, timeout and proxy become the variables uv reads, unless uv's own are
   set already. uv also chooses among indexes the way pip does (the best version from all of them).
3. Installs requirements.txt and pip (the wheel ``python -m venv`` would have installed), then the
   project itself (editable, no dependencies); registers the course's Jupyter kernel inside .venv;
   where PYTHONDONTWRITEBYTECODE is set, writes the bytecode of what the course imports (see
   ``compile_hot``).

If uv cannot be had, it says so in one line and installs with pip, as the course did before uv.
``--installer pip`` forces that. Output stays quiet unless something fails.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The uv release installed when none is on PATH; a uv on PATH is used if it is UV_MINIMUM or newer.
UV_VERSION = "0.13.9"
UV_MINIMUM = (0, 5)
UV_HOME = REPO / "build" / "uv"
KERNEL = ["--name", "python3", "--display-name", "Python 3 (responses tutorial)"]
QUIET_PIP = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_ROOT_USER_ACTION": "ignore"}


class SetupError(Exception):
    pass


VERBOSE = False
START = time.perf_counter()


def run(command: list[str], env: dict[str, str] | None = None, what: str = "") -> str:
    """Run ``command`` quietly; on failure raise SetupError with what it printed."""
    began = time.perf_counter()
    done = subprocess.run(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    if VERBOSE:
        print(
            f"  {began - START:5.1f} s + {time.perf_counter() - began:4.1f} s  "
            f"{what or shlex.join(command)}",
            flush=True,
        )
    if done.returncode != 0:
        raise SetupError(
            f"{what or shlex.join(command)} failed (exit {done.returncode}):\n{done.stdout.strip()}"
        )
    return done.stdout


def timed(function, *args):
    began = time.perf_counter()
    function(*args)
    if VERBOSE:
        print(
            f"  {began - START:5.1f} s + {time.perf_counter() - began:4.1f} s  {function.__name__}"
        )


def last_line(error: Exception) -> str:
    return str(error).strip().splitlines()[-1].strip()


def uv_version(uv: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([uv, "--version"], capture_output=True, text=True, timeout=30).stdout
        return tuple(int(part) for part in out.split()[1].split(".")[:3])
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        return None


def installed_uv() -> str | None:
    """A uv that is already here: on PATH (if recent enough), or under build/uv at UV_VERSION."""
    on_path = shutil.which("uv")
    if on_path and (uv_version(on_path) or (0,)) >= UV_MINIMUM:
        return on_path
    ours = UV_HOME / "bin" / "uv"
    if ours.exists() and uv_version(str(ours)) == tuple(int(p) for p in UV_VERSION.split(".")):
        return str(ours)
    return None


def install_uv(python: str) -> str:
    """Install uv==UV_VERSION under build/uv with ``python``'s pip, which uses pip's own index
    configuration. Installed into a temporary folder and renamed, so a failure leaves nothing."""
    partial = UV_HOME.with_name("uv.partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(partial)]
    # --target is not an install into the system: a pip.conf asking for --user or a virtualenv
    # does not apply to it.
    env = {**os.environ, **QUIET_PIP, "PIP_USER": "0", "PIP_REQUIRE_VIRTUALENV": "0"}
    run([*command, f"uv=={UV_VERSION}"], env, f"installing uv {UV_VERSION} with pip")
    shutil.rmtree(UV_HOME, ignore_errors=True)
    partial.rename(UV_HOME)
    uv = UV_HOME / "bin" / "uv"
    if uv_version(str(uv)) is None:
        raise SetupError(f"{uv} does not run on this machine")
    return str(uv)


def pip_config(python: str) -> dict[str, str]:
    """pip's configuration as it applies to ``pip install`` here (``pip config list``)."""
    try:
        out = run([python, "-m", "pip", "config", "list"], env={**os.environ, **QUIET_PIP})
    except SetupError:
        return {}
    return parse_pip_config(out)


def parse_pip_config(listing: str) -> dict[str, str]:
    """``pip config list`` output as {option: value}: PIP_* variables (``:env:``) over the install
    section over the global one, as pip ranks them; each line already holds the value of the file
    that pip ranks highest."""
    ranked: dict[str, tuple[int, str]] = {}
    rank = {"global": 0, "install": 1, ":env:": 2}
    for line in listing.splitlines():
        key, sep, value = line.partition("=")
        section, _, name = key.rpartition(".")
        if not sep or section not in rank:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        name = name.replace("_", "-")
        if name == "default-timeout":
            name = "timeout"
        if name not in ranked or rank[section] >= ranked[name][0]:
            ranked[name] = (rank[section], value)
    return {name: value for name, (_, value) in ranked.items()}


def truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "yes", "true", "on")


def uv_environment(pip: dict[str, str]) -> dict[str, str]:
    """The environment uv runs in: pip's index settings as uv's variables, where uv's own (or the
    user's uv.toml, which uv reads itself) do not already say otherwise."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"}
    has_uv_index = any(
        k in os.environ for k in ("UV_INDEX", "UV_DEFAULT_INDEX", "UV_INDEX_URL", "UV_NO_INDEX")
    )

    def words(name: str) -> list[str]:
        return pip.get(name, "").split()

    settings: dict[str, str] = {
        # pip takes the best version from all indexes together; uv by default would take a package
        # only from the first index that has it, and fail where that index lacks the pinned version.
        "UV_INDEX_STRATEGY": "unsafe-best-match",
    }
    if not has_uv_index:
        if pip.get("index-url"):
            settings["UV_INDEX_URL"] = pip["index-url"]
        if words("extra-index-url"):
            settings["UV_EXTRA_INDEX_URL"] = " ".join(words("extra-index-url"))
        if truthy(pip.get("no-index", "")):
            settings["UV_NO_INDEX"] = "1"
    if words("find-links"):
        settings["UV_FIND_LINKS"] = ",".join(words("find-links"))
    if words("trusted-host"):
        settings["UV_INSECURE_HOST"] = " ".join(words("trusted-host"))
    if words("constraint"):
        settings["UV_CONSTRAINT"] = " ".join(words("constraint"))
    if pip.get("timeout"):
        settings["UV_HTTP_TIMEOUT"] = pip["timeout"]
    if pip.get("cert"):
        settings["SSL_CERT_FILE"] = pip["cert"]
    if pip.get("client-cert"):
        settings["SSL_CLIENT_CERT"] = pip["client-cert"]
    if pip.get("proxy"):
        settings["HTTPS_PROXY"] = settings["HTTP_PROXY"] = pip["proxy"]
    for name, value in settings.items():
        env.setdefault(name, value)
    return env


def make_venv(python: str, venv: Path, with_pip: bool) -> None:
    """``python -m venv``; without pip when uv installs it (ensurepip takes 3-10 s, uv 0.1 s)."""
    options = [] if with_pip else ["--without-pip"]
    run([python, "-m", "venv", *options, str(venv)], what=f"python -m venv {' '.join(options)}")


def bundled_pip() -> str:
    """The pip wheel ``python -m venv`` would install (this Python's ensurepip, or Debian's copy of
    it), so that .venv gets the same pip whichever tool made it; else pip from the index."""
    import ensurepip

    folders = [Path(ensurepip.__file__).parent / "_bundled", Path("/usr/share/python-wheels")]
    wheels = [w for folder in folders for w in sorted(folder.glob("pip-*-py3-none-any.whl"))]
    return str(wheels[0]) if wheels else "pip"


def register_kernel(venv_python: str) -> None:
    run(
        [venv_python, "-m", "ipykernel", "install", "--sys-prefix", *KERNEL],
        what="registering the Jupyter kernel",
    )


# What the course's own processes import, as code run once in each of four processes (they run side
# by side): the SDK and helpers, a notebook's kernel, the notebook runners and pytest with nbval, the
# docs build and its browser check with JupyterLab.
HOT = (
    "import openai, helpers, helpers.exercises, helpers.figures, helpers.background, helpers.tools,"
    " helpers.doctor\n"
    "client = openai.OpenAI(api_key='-', base_url='http://127.0.0.1:9/v1')\n"
    "client.responses.input_items, client.responses.input_tokens, client.conversations.items\n"
    "import openai.lib.streaming.responses, openai.types.conversations, openai.pagination",
    "import ipykernel.kernelapp, ipykernel.ipkernel, ipykernel.zmqshell, ipykernel.debugger,"
    " debugpy.server.api, IPython.core.magics, IPython.core.ultratb, IPython.extensions.storemagic,"
    " psutil, matplotlib.pyplot, matplotlib.backends.backend_agg, matplotlib_inline.backend_inline",
    "import nbclient, nbformat, jupyter_client.manager, nbval.plugin, xdist.plugin, xdist.remote,"
    " xdist.dsession, xdist.looponfail, execnet, anyio, jsonschema, detect_secrets.core.scan,"
    " scripts.nbexec, pytest",
    "import sphinx.application, sphinx.builders.html, myst_nb, myst_parser, furo, jupyter_cache,"
    " playwright.sync_api, jupyterlab.labapp",
)


def compile_hot(venv_python: str) -> None:
    """Where PYTHONDONTWRITEBYTECODE is set, write the bytecode of what the course imports, by
    running HOT once with bytecode written; elsewhere do nothing.

    pip compiles every module it installs; uv compiles none, and compiling all of .venv (8,600
    files) takes about 25 s of CPU. Python compiles a module when it first imports it and keeps
    the bytecode, so without the variable nothing needs doing. With it (as on some machines and CI
    images), every process would compile what it imports again, each time: 3-5 s of CPU for each
    notebook's kernel. Importing HOT once writes the 2,300 files the course uses for about 12 s of
    CPU, on all cores; a module it misses only starts a little slower."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["MPLBACKEND"] = "agg"  # the matplotlib of a kernel, without needing one
    prelude = "import sys; sys.modules.setdefault('rfc3987_syntax', None)\n"
    commands = [[venv_python, "-c", prelude + code] for code in HOT]
    # pytest keeps its own bytecode of the plugins it loads (rewritten for its asserts).
    commands.append([venv_python, "-m", "pytest", "-p", "scripts.pytest_startup", "--co", "-q"])
    commands[-1].append("scripts/pytest_startup.py")  # collects nothing: loads the plugins
    with ThreadPoolExecutor(len(commands)) as pool:
        for command in commands:
            pool.submit(
                subprocess.run,
                command,
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )


def with_uv(uv: str, env: dict[str, str], venv_python: str) -> None:
    install = [uv, "pip", "install", "--quiet", "--python", venv_python]
    packages = ["-r", "requirements.txt"]
    venv = Path(venv_python).parent.parent
    if not any(venv.glob("lib/python*/site-packages/pip/__init__.py")):
        packages.append(bundled_pip())  # a pip already there (maybe upgraded) stays as it is
    run([*install, *packages], env, "uv pip install -r requirements.txt")
    with ThreadPoolExecutor(3) as pool:
        # setuptools comes from requirements.txt, so the project builds without an isolated env.
        editable = pool.submit(
            run,
            [*install, "--no-deps", "--no-build-isolation", "-e", "."],
            env,
            "uv pip install -e .",
        )
        kernel = pool.submit(register_kernel, venv_python)
        hot = pool.submit(timed, compile_hot, venv_python)
        editable.result()
        kernel.result()
        hot.result()


def with_pip(venv_python: str) -> None:
    env = {**os.environ, **QUIET_PIP}
    pip = [venv_python, "-m", "pip", "install", "--quiet"]
    run([*pip, "-r", "requirements.txt"], env, "pip install -r requirements.txt")
    run([*pip, "--no-deps", "--no-build-isolation", "-e", "."], env, "pip install -e .")
    register_kernel(venv_python)


HEADER = "# Every package pinned (the direct ones are listed in pyproject.toml); regenerate with: make lock"


def build_requirements() -> list[str]:
    """pyproject.toml's build-system requires (setuptools), pinned too: the editable install builds
    the project without an isolated environment, with the setuptools requirements.txt pins."""
    text = (REPO / "pyproject.toml").read_text()
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        found = re.search(r"^\[build-system\][^\[]*?^requires\s*=\s*\[(.*?)\]", text, re.M | re.S)
        return re.findall(r'"([^"]+)"', found.group(1)) if found else []
    return list(tomllib.loads(text).get("build-system", {}).get("requires", []))


def lock(uv: str | None, pip: dict[str, str], venv_python: str) -> None:
    """Write requirements.txt: ``uv pip compile`` of pyproject.toml with its dev extra (and the
    build requirements), keeping the current pins where they still fit; without uv, pip freeze of
    .venv as before. Either way: one ``name==version`` a line, under the same header."""
    target = REPO / "requirements.txt"
    if uv:
        draft = REPO / "build" / "requirements.lock"
        draft.parent.mkdir(exist_ok=True)
        shutil.copyfile(target, draft)  # uv keeps the pins it finds in the output file
        extra = REPO / "build" / "build-requirements.in"
        extra.write_text("".join(f"{r}\n" for r in build_requirements()))
        compile_ = [uv, "pip", "compile", "--quiet", "--python", venv_python, "--no-header"]
        compile_ += ["--no-annotate", "--extra", "dev", "-o", str(draft)]
        run([*compile_, "pyproject.toml", str(extra)], uv_environment(pip), "uv pip compile")
        pins = [line for line in draft.read_text().splitlines() if line and line[0] != "#"]
    else:
        freeze = [venv_python, "-m", "pip", "freeze", "--all", "--exclude-editable"]
        out = run(freeze, {**os.environ, **QUIET_PIP}, "pip freeze")
        pins = [line for line in out.splitlines() if line and re.split(r"[=@ ]", line)[0] != "pip"]
    target.write_text("\n".join([HEADER, *pins]) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=REPO / ".venv")
    parser.add_argument(
        "--installer",
        choices=("auto", "uv", "pip"),
        default="auto",
        help="auto (default): uv when it can be had, else pip",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="time each step")
    parser.add_argument(
        "--lock", action="store_true", help="re-pin requirements.txt (make lock) instead"
    )
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    venv = args.venv.resolve()
    python = sys.executable
    venv_python = str(venv / "bin" / "python")

    if args.lock:
        try:
            uv = installed_uv() if args.installer != "pip" else None
            if uv is None and args.installer != "pip":
                try:
                    uv = install_uv(python)
                except SetupError as error:
                    print(f"lock: uv could not be had ({last_line(error)}); using pip freeze")
            lock(uv, pip_config(python) if uv else {}, venv_python)
        except SetupError as error:
            print(f"lock: {error}", file=sys.stderr)
            return 1
        return 0

    try:
        with ThreadPoolExecutor(3) as pool:
            creating = pool.submit(make_venv, python, venv, args.installer == "pip")
            uv, why_not, pip = None, "", {}
            if args.installer != "pip":
                configured = pool.submit(pip_config, python)
                uv = installed_uv()
                if uv is None:
                    try:
                        uv = install_uv(python)
                    except SetupError as error:
                        why_not = last_line(error)
                        if args.installer == "uv":
                            raise
                pip = configured.result()
            try:
                creating.result()
            except SetupError:
                if not uv:  # e.g. a Debian Python without python3-venv: uv can still make one
                    raise
                shutil.rmtree(venv, ignore_errors=True)
                seed = [uv, "venv", "--quiet", "--seed", "--python", python, str(venv)]
                run(seed, uv_environment(pip), "uv venv")
        if uv:
            with_uv(uv, uv_environment(pip), venv_python)
            how = f"uv {'.'.join(map(str, uv_version(uv) or ()))}"
        else:
            if args.installer == "auto":
                print(
                    f"set-up: uv could not be had ({why_not}); installing with pip, which is slower"
                )
            if not Path(venv, "bin", "pip").exists():
                run([venv_python, "-m", "ensurepip", "--default-pip"], what="python -m ensurepip")
            with_pip(venv_python)
            how = "pip"
    except SetupError as error:
        print(f"set-up: {error}", file=sys.stderr)
        return 1
    print(f"set-up: {venv.name} ready in {time.perf_counter() - START:.0f} s ({how})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
