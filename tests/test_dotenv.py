""".env as a careless user saves it: every way it cannot be used is one SetupError naming .env (and
the line, by number only: a line may hold a key), from connect(), doctor() and make record alike.
Before, UTF-16 or Latin-1 bytes were a raw UnicodeDecodeError, a line python-dotenv cannot parse
was skipped with a logged warning, a key pasted without `NAME=` was skipped silently, and a FIFO
in its place blocked connect() for ever. (A UTF-8 byte-order mark was, and stays, harmless.)"""

from __future__ import annotations

import os
import threading
import time

import pytest

from helpers import SetupError, config, connect
from helpers.doctor import check_environment

KEY = "sk-" + "dotenvtest" * 4  # built at run time: no literal looks like a key


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A repository root whose .env is read, with the process environment put back afterwards
    (python-dotenv writes os.environ itself)."""
    saved = dict(os.environ)
    monkeypatch.setattr(config, "REPO_ROOT", tmp_path)
    monkeypatch.setenv("TUTORIAL_DOTENV", "1")
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved)


def refused(root, content: bytes | str) -> str:
    """connect() stops at once with one SetupError about .env, which never shows the key."""
    path = root / ".env"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    start = time.perf_counter()
    with pytest.raises(SetupError) as info:
        connect("nb")
    assert time.perf_counter() - start < 0.5
    text = str(info.value)
    assert ".env" in text and KEY not in text and KEY[3:15] not in text, text
    assert "OPENAI_API_KEY" not in os.environ
    return text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_dotenv_saved_as_utf16(root, encoding):
    text = refused(root, f"OPENAI_API_KEY={KEY}\n".encode(encoding))
    assert ".env is not UTF-8 text: it was saved as UTF-16" in text
    assert "Save it again with the encoding UTF-8" in text


def test_a_dotenv_with_bytes_of_another_encoding_names_the_line(root):
    content = f"# Clé de l'API\nOPENAI_API_KEY={KEY}\n".encode("latin-1")
    text = refused(root, content)
    assert ".env is not UTF-8 text: line 1 holds the byte 0xe9" in text


def test_a_line_python_dotenv_cannot_parse_is_named_by_number(root):
    content = f"# my key\nTUTORIAL_MODEL=gpt-5.4-mini\nOPENAI API KEY = {KEY}\n"
    text = refused(root, content)
    assert "In .env, python-dotenv cannot parse line 3, and would skip it." in text
    assert "Each line is NAME=value" in text and "they may hold a key" in text


def test_an_unclosed_quote_is_named_where_it_opens(root):
    text = refused(root, f'OPENAI_API_KEY="{KEY}\nTUTORIAL_MODEL=gpt-5.4-mini\n')
    assert "python-dotenv cannot parse line 1" in text and "close each quote" in text


def test_a_key_pasted_alone_is_named_by_number(root):
    text = refused(root, f"TUTORIAL_MODEL=gpt-5.4-mini\n{KEY}\nfoo\n")
    assert "In .env, lines 2, 3 have no '=', so nothing is set from it." in text


def test_both_kinds_of_bad_line_in_one_message(root):
    text = refused(root, f"{KEY}\nOPENAI API KEY = {KEY}\n")
    assert "python-dotenv cannot parse line 2, and would skip it; line 1 has no '='" in text


def test_a_fifo_in_place_of_dotenv_is_refused_without_blocking(root):
    fifo = root / ".env"
    os.mkfifo(fifo)

    def writer() -> None:  # ends the test either way, should something open it for reading
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass

    unblock = threading.Timer(2.0, writer)
    unblock.start()
    start = time.perf_counter()
    try:
        with pytest.raises(SetupError) as info:
            config.load_dotenv_once()
    finally:
        unblock.cancel()
    assert time.perf_counter() - start < 0.5
    assert ".env cannot be read (it is a named pipe (FIFO), not a regular file)" in str(info.value)


def test_a_folder_in_place_of_dotenv(root):
    (root / ".env").mkdir()
    with pytest.raises(SetupError, match=r"\.env cannot be read \(Is a directory\)"):
        config.load_dotenv_once()


def test_a_utf8_byte_order_mark_does_not_hide_the_first_variable(root):
    (root / ".env").write_bytes(f"OPENAI_API_KEY={KEY}\n".encode("utf-8-sig"))
    config.load_dotenv_once()
    assert os.environ.get("OPENAI_API_KEY") == KEY


def test_a_sound_dotenv_is_read_as_python_dotenv_reads_it(root, monkeypatch):
    """Comments, export, quotes, ${} references and empty values as before; the shell wins."""
    monkeypatch.setenv("TUTORIAL_MODEL", "from-the-shell")
    (root / ".env").write_text(
        "# a comment\n\n"
        f"export OPENAI_API_KEY='{KEY}'\n"
        "TUTORIAL_MODEL=gpt-5.4-mini  # the default\n"
        'TUTORIAL_DEEP_RESEARCH_MODEL="${TUTORIAL_MODEL}-research"\n'
        "TUTORIAL_MAX_TOKENS=\n",
        encoding="utf-8",
    )
    config.load_dotenv_once()
    assert os.environ["OPENAI_API_KEY"] == KEY
    assert os.environ["TUTORIAL_MODEL"] == "from-the-shell"
    assert os.environ["TUTORIAL_DEEP_RESEARCH_MODEL"] == "from-the-shell-research"
    assert os.environ["TUTORIAL_MAX_TOKENS"] == ""


def test_no_dotenv_is_fine(root):
    config.load_dotenv_once()
    assert "OPENAI_API_KEY" not in os.environ


def test_doctor_reports_an_unusable_dotenv_as_its_problem(root):
    (root / ".env").write_bytes(f"OPENAI_API_KEY={KEY}\n".encode("utf-16"))
    report = check_environment()
    (problem,) = [p for p in report.problems if p.topic == ".env"]
    assert problem.found == "found, but cannot be used"
    assert "saved as UTF-16" in problem.fix
    assert [f.topic for f in report.checks].count(".env") == 1
    assert KEY not in str(report) and KEY not in report._repr_markdown_()
