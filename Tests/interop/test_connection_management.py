"""Connection management on the lean path's own HTTP/2 connections (issue 12), with raw frames over
mutual TLS: the server's keepalive PING and the close when it goes unanswered, a connection's
maximum age with gRPC's two-step GOAWAY (the second naming the last stream the server took). The
graceful drain on SIGTERM is in test_shutdown.py; ping policing in test_http2_limits.py."""
import json
import pathlib
import tempfile
import time

import pytest

from conftest import start_server, stop_server
from test_http2_limits import GOAWAY, PING, HEADERS, END_HEADERS, END_STREAM, RawConnection, frame, request_block

NO_ERROR = 0x0


@pytest.fixture
def configured():
    """Starts a server with the given configuration file contents; stops it afterwards."""
    started = []

    def run(config):
        data = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-connections-"))
        proc, address = start_server(data)  # quickstart: a development data directory
        stop_server(proc)
        path = data / "test-config.json"
        path.write_text(json.dumps(config))
        proc, address = start_server(data, "serve", "--config", str(path))
        started.append(proc)
        return address, data

    yield run
    for proc in started:
        stop_server(proc)


def test_keepalive_ping_and_close_when_unanswered(configured):
    address, data = configured({"connections": {"keepalive_seconds": 10, "keepalive_timeout_seconds": 1}})
    raw = RawConnection(address, data)
    started = time.time()
    pings = []
    for kind, flags, _, payload in raw.frames(timeout=15):
        if kind == PING and not flags & 0x1:
            pings.append(time.time() - started)
            break
    assert pings, "no keepalive PING within 15 s of an idle connection (keepalive 10 s)"
    assert 9 <= pings[0] <= 13, pings
    # Left unanswered: the server gives up on the connection after the timeout.
    code = raw.goaway(timeout=5)
    assert code is not None, "the connection stayed open after an unanswered keepalive PING"
    raw.close()


def test_answered_keepalive_keeps_the_connection(configured):
    address, data = configured({"connections": {"keepalive_seconds": 10, "keepalive_timeout_seconds": 1}})
    raw = RawConnection(address, data)
    acked = False
    for kind, flags, _, payload in raw.frames(timeout=15):
        if kind == PING and not flags & 0x1:
            raw.send(frame(PING, 0x1, 0, payload))
            acked = True
            break
    assert acked
    # Still served after the answered PING's timeout has passed.
    time.sleep(2)
    raw.send(frame(HEADERS, END_HEADERS, 1, request_block(raw.encoder)) + frame(0x0, END_STREAM, 1, b"\0\0\0\0\0"))
    statuses = [payload for kind, _, stream, payload in raw.frames(timeout=5) if kind == HEADERS and stream == 1]
    assert statuses, "the connection was not served after its keepalive PING was answered"
    raw.close()


def test_max_age_two_step_goaway(configured):
    address, data = configured({"connections": {"max_connection_age_seconds": 1, "max_connection_age_grace_seconds": 5}})
    raw = RawConnection(address, data)
    raw.send(frame(HEADERS, END_HEADERS, 1, request_block(raw.encoder)) + frame(0x0, END_STREAM, 1, b"\0\0\0\0\0"))
    goaways, answered = [], False
    for kind, flags, stream, payload in raw.frames(timeout=6):
        if kind == HEADERS and stream == 1:
            answered = True
        if kind == GOAWAY:
            goaways.append((int.from_bytes(payload[0:4], "big") & 0x7FFFFFFF, int.from_bytes(payload[4:8], "big")))
            if len(goaways) == 2:
                break
        if kind == PING and not flags & 0x1:
            # The server's PING after its first GOAWAY: the answer tells it the client has seen it.
            raw.send(frame(PING, 0x1, 0, payload))
    assert answered, "the call before the GOAWAY was not answered"
    assert len(goaways) == 2, goaways
    assert goaways[0] == (0x7FFFFFFF, NO_ERROR), "first GOAWAY: the largest stream id, while streams in flight may still arrive"
    assert goaways[1] == (1, NO_ERROR), "second GOAWAY: the last stream the server took"
    raw.close()
