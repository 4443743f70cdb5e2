"""The real server binary on a fresh data directory, shared by the interop and CLI suites."""
import os
import pathlib
import subprocess
import tempfile
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
BIN = pathlib.Path(os.environ.get("GONGJIAN_BIN_DIR", HERE.parent.parent / ".build" / "debug"))


def start_server(data, *args, env=None, command=(), listen="127.0.0.1:0"):
    """Starts `gongjian-server` (by default `quickstart`, which initialises a development data
    directory) on a free loopback port; returns (process, address). Its log goes to a file
    (`proc.log_path`): a pipe nobody reads would fill and block the server's logging."""
    log = tempfile.NamedTemporaryFile(prefix="gongjian-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [*command, str(BIN / "gongjian-server"), *args, "--data-dir", str(data), "--listen", listen],
        stdout=subprocess.PIPE, stderr=log, text=True,
        env={**os.environ, **(env or {})},
    )
    proc.log_path = log.name
    return proc, await_listening(proc, log.name)


def await_listening(proc, log_path, seconds=60):
    """The address a starting server prints on its "listening on" line; kills it and fails with
    its log when it exits or says nothing in time."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        line = proc.stdout.readline()
        if "listening on" in line:
            return line.strip().rsplit(" ", 1)[-1]
        if proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("server did not start: " + pathlib.Path(log_path).read_text())


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def server():
    data = tempfile.mkdtemp(prefix="gongjian-interop-")
    proc, address = start_server(data)
    yield address, pathlib.Path(data)
    stop_server(proc)
