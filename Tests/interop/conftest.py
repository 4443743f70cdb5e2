"""The real server binary on a fresh data directory, shared by the interop and CLI suites."""
import os
import pathlib
import subprocess
import tempfile
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
BIN = pathlib.Path(os.environ.get("GONGJIAN_BIN_DIR", HERE.parent.parent / ".build" / "debug"))


@pytest.fixture(scope="session")
def server():
    data = tempfile.mkdtemp(prefix="gongjian-interop-")
    proc = subprocess.Popen(
        [str(BIN / "gongjian-server"), "--data-dir", data, "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    address = None
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if "listening on" in line:
            address = line.strip().rsplit(" ", 1)[-1]
            break
        if proc.poll() is not None:
            break
    assert address, "server did not start: " + proc.stderr.read()
    yield address, pathlib.Path(data)
    proc.terminate()
    proc.wait(timeout=20)
