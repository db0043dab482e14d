"""JupyterLab as a learner meets it after `make lab`, driven by Debian's chromium through Playwright.

JupyterLab is started as `make lab` starts it (scripts/lab.py: the repository as the server's root,
on 127.0.0.1, the course's kernel). Then, for every notebook present (notebooks/NN_*.ipynb), the
browser opens it, checks that opening it did not mark it modified (JupyterLab rewrites metadata that
disagrees with the kernel it starts, and autosave then writes it), restarts the kernel and runs all
cells, and checks that no cell has an error or stderr output, that every image (figures in Markdown
cells and in outputs) loaded, and that the setup cell replayed as a learner without a key sees it.
Over the whole run the server's log must hold no 404 (a figure or link pointing outside the server's
root), no server error and no kernel warning, and no page request may leave 127.0.0.1. The server's log is kept as
build/screenshots/lab/server.log.

The server serves a copy of the repository in a temp folder (everything but .git, .venv, build and
.env), laid out as the repository is, so that nothing done here (running cells, saving) can change
the worktree. Its kernels inherit this test's environment, which conftest.py makes a fresh clone with
no key and no .env, exactly as `make test`: they replay. JupyterLab's settings, workspaces and
runtime files go to the temp folder too, with autosave and the news feed off and windowing off (every
cell is in the page, so every image can be checked); `--LabApp.expose_app_in_browser` lets the test
open notebooks and read their state through JupyterLab's own application object. Screenshots of each
notebook after its run go to build/screenshots/lab/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import lab
import pytest
from browser import WAIT_FOR_IMAGES, chromium, local_only

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    p.relative_to(ROOT).as_posix() for p in ROOT.glob("notebooks/[0-9][0-9]_*.ipynb")
)
SCREENSHOTS = ROOT / "build" / "screenshots" / "lab"
NOT_COPIED = {".git", ".venv", "build", ".env", "__pycache__", ".pytest_cache", ".ruff_cache"}
SETTINGS = {  # JupyterLab user settings for the test server
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}
KERNEL_WARNING = re.compile(r"\[IPKernelApp\] (WARNING|ERROR|CRITICAL)")
HTTP_ERROR = re.compile(r"\b(404|5\d\d) (GET|POST|PUT|PATCH|DELETE|HEAD) (\S+)")

# The current notebook panel, as JupyterLab's application object sees it.
PANEL = "window.jupyterapp.shell.currentWidget"
# Open a notebook as the file browser does. The page's URL is first made the one JupyterLab gives an
# open notebook (/lab/tree/<path>), as it is when a learner opens one: JupyterLab inserts a Markdown
# cell's HTML before rewriting its relative image URLs, so the browser asks for them relative to the
# page's URL for a moment, and from /lab that would be a 404 no learner's page makes.
OPEN = """path => { const lab = location.pathname.split("/lab")[0] + "/lab";
    history.replaceState(null, "", lab + "/tree/" + path + location.search);
    window.jupyterapp.commands.execute('docmanager:open', {path}); }"""
OPENED = f"""path => {{ const w = {PANEL};
    return !!w && !!w.context && w.context.path === path && w.context.isReady
        && w.sessionContext.session?.kernel?.status === 'idle'; }}"""
# Before "Restart Kernel and Run All": clear every output and execution count (as running a cell
# does anyway), so that the run is known to be over only when this run has set them all again, and
# note when the kernel restarts.
PREPARE = f"""() => {{ const w = {PANEL}; w.__restarted = false;
    w.sessionContext.statusChanged.connect((_, status) => {{
        if (status === 'restarting') w.__restarted = true; }});
    return window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs').then(() => null); }}"""
# Done: the kernel restarted and is idle, no cell is queued or running, and either every code cell
# ran, in order (the last one's count is the number of code cells), or one failed (the run stops).
RAN_ALL = f"""() => {{ const w = {PANEL};
    if (!w.__restarted || w.sessionContext.session?.kernel?.status !== 'idle') return false;
    const code = w.content.widgets.filter(c => c.model.type === 'code');
    if (code.some(c => c.model.executionState === 'running'
                       || /\\*/.test(c.promptNode?.textContent ?? ''))) return false;
    const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
    return failed || !code.length
        || (code.every(c => c.model.executionCount !== null)
            && code[code.length - 1].model.executionCount === code.length); }}"""
OUTPUTS = f"""() => {PANEL}.content.widgets
    .filter(c => c.model.type === 'code')
    .map(c => [c.model.executionCount, c.model.outputs.toJSON()])"""
# Shut the kernel down and close the notebook without saving (the copy is thrown away anyway).
CLOSE = f"""async () => {{ const w = {PANEL}; let failed = null;
    try {{ await w.sessionContext.shutdown(); }} catch (e) {{ failed = String(e); }}
    w.context.model.dirty = false; w.close(); return failed; }}"""
IMAGES = f"""() => [...{PANEL}.content.node.querySelectorAll('img')]
    .map(i => [i.getAttribute('src'), i.getAttribute('alt'), i.naturalWidth])"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def repository_copy(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=lambda folder, names: NOT_COPIED & set(names))
    return target


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """JupyterLab serving a copy of the repository: (base URL, token, log file)."""
    tmp = tmp_path_factory.mktemp("lab")
    root = repository_copy(tmp / "repository")
    for name, values in SETTINGS.items():
        path = tmp / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = lab.environment()
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
    )
    port, token = free_port(), secrets.token_hex(16)
    options = [
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--no-browser",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.append("--allow-root")  # containers run as root; jupyter refuses it otherwise
    log = tmp / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            lab.command(root, *options), cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited ({proc.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start in 90 s:\n{log.read_text()}")
                time.sleep(0.2)
        yield base, token, log
    finally:
        proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_every_notebook_opens_clean_and_runs_in_jupyterlab(server):
    base, token, log = server
    assert NOTEBOOKS, "no notebooks to open"
    for path in NOTEBOOKS:  # the repository is the server's root: links leave notebooks/
        try:
            urllib.request.urlopen(f"{base}/api/contents/{path}?content=0&token={token}").close()
        except OSError as err:
            pytest.fail(f"JupyterLab does not serve {path} ({err}): is the repository its root?")
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    problems: list[str] = []
    outside: list[str] = []
    timings: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        local_only(context, outside)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"uncaught error in JupyterLab: {e}"))
        # Where `make lab` opens JupyterLab (relative figure URLs resolve against this page's URL
        # for a moment before JupyterLab rewrites them, so the page must be the one learners get).
        started = time.monotonic()
        page.goto(f"{base}/lab/tree/{NOTEBOOKS[0]}?token={token}", wait_until="load")
        page.wait_for_function("() => !!window.jupyterapp", timeout=90_000)
        page.evaluate("() => window.jupyterapp.restored.then(() => null)")
        timings.append(f"JupyterLab loaded in {time.monotonic() - started:.1f} s")
        for path in NOTEBOOKS:
            name = Path(path).name
            start = time.monotonic()
            page.evaluate(OPEN, path)
            page.wait_for_function(OPENED, arg=path, timeout=90_000)
            opened = time.monotonic()
            if page.evaluate(f"() => {PANEL}.context.model.dirty"):
                problems.append(
                    f"{name}: marked modified right after opening (JupyterLab changed it on open, "
                    "and would save that: is its kernelspec the installed kernel's?)"
                )
            page.evaluate(PREPARE)
            page.evaluate(
                "() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }"
            )
            page.click(".jp-Dialog .jp-Dialog-button.jp-mod-accept")  # "Restart"
            page.wait_for_function(RAN_ALL, timeout=180_000)
            ran = time.monotonic()
            problems.extend(f"{name}: {p}" for p in output_problems(page.evaluate(OUTPUTS)))
            page.evaluate(WAIT_FOR_IMAGES)
            images = page.evaluate(IMAGES)
            for src, alt, width in images:
                if not width:
                    where = urlsplit(src or "").path  # without JupyterLab's _xsrf token
                    problems.append(f"{name}: image {where!r} (alt {alt!r}) did not load")
            page.screenshot(path=SCREENSHOTS / f"{Path(path).stem}.png")
            for n, image in enumerate(page.locator(".jp-NotebookPanel:visible img").all(), 1):
                image.scroll_into_view_if_needed()
                page.screenshot(path=SCREENSHOTS / f"{Path(path).stem}-image{n}.png")
            timings.append(
                f"{Path(path).stem[:2]} {time.monotonic() - start:.1f} s (open {opened - start:.1f}, "
                f"restart and run {ran - opened:.1f})"
            )
            failed = page.evaluate(CLOSE)
            if failed:
                problems.append(f"{name}: shutting its kernel down failed: {failed}")
        context.close()
    shutil.copy(log, SCREENSHOTS / "server.log")  # for a look after a failure
    server_errors = [" ".join(m.groups()) for m in HTTP_ERROR.finditer(log.read_text())]
    problems.extend(f"server log: {line}" for line in server_errors)
    # A kernel's own warnings reach the terminal `make lab` runs in (ipykernel's "Kernel is running
    # over TCP without encryption" did, once per kernel, until lab.py encrypted the connections).
    problems.extend(
        f"server log: {line.strip()}"
        for line in log.read_text().splitlines()
        if KERNEL_WARNING.search(line)
    )
    problems.extend(f"requested outside 127.0.0.1: {url}" for url in outside)
    print("\nJupyterLab:", "; ".join(timings))
    assert not problems, f"{len(problems)} problem(s) in JupyterLab:\n  " + "\n  ".join(problems)


def output_problems(cells: list) -> list[str]:
    """Error and stderr outputs, and a setup cell that did not replay as a fresh clone does."""
    found = []
    banner = None
    for number, (_, outputs) in enumerate(cells, 1):
        for output in outputs:
            text = "".join(output.get("text", ""))
            if output["output_type"] == "error":
                found.append(f"code cell {number}: {output['ename']}: {output['evalue'][:300]}")
            elif output["output_type"] == "stream" and output["name"] == "stderr":
                found.append(f"code cell {number}: stderr: {text[:300]!r}")
            elif output["output_type"] == "stream" and text.startswith("Mode: ") and banner is None:
                banner = text
    not_run = [number for number, (count, _) in enumerate(cells, 1) if count is None]
    if not_run:
        found.append(f"{len(not_run)} code cell(s) did not run, from cell {not_run[0]}")
    if banner is not None and not banner.startswith("Mode: replay (no API key set)."):
        found.append(f"the kernel did not replay as a fresh clone: {banner.strip()!r}")
    return found
