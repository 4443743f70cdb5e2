"""A stock grpc-go client (Debian's packages, Tests/interop/go-client) against the real server over
mutual TLS: unary and server-streaming methods, error statuses, deadlines and cancellation."""
import json
import pathlib
import subprocess
import tempfile

import pytest

from conftest import start_server, stop_server

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def go_client():
    out = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-go-")) / "interop"
    built = subprocess.run([str(HERE / "go-client" / "build.sh"), str(out)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return out


def test_grpc_go_calls_unary_and_streaming_methods_with_deadlines_and_cancellation(server, go_client):
    address, data = server
    run = subprocess.run(
        [str(go_client), "-addr", address, "-credentials", str(data / "pki" / "offices" / "sihong.gov"),
         "-tenant", "changshu-sihong", "-other-tenant", "sip-suqian"],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    checks = {line["check"]: line for line in map(json.loads, run.stdout.splitlines())}
    assert checks["whoami"]["office"] == "sihong.gov"
    push = checks["push"]
    assert push["sequence"] > 0 and push["replayed"] and push["replayed_sequence"] == push["sequence"]
    assert checks["pull"]["ids"] == [checks["pull"]["expected"]]
    assert checks["denied"]["code"] == "PermissionDenied" and "sip-suqian" in checks["denied"]["message"]
    # Cancelled by the client after the catch-up: what it was sent, then CANCELLED.
    assert checks["subscribe_cancelled"]["sequences"] == [push["sequence"]]
    assert checks["subscribe_cancelled"]["code"] == "Canceled"
    # A deadline of 0.7 s on a live subscription ends it with DEADLINE_EXCEEDED, on time.
    assert checks["subscribe_deadline"]["code"] == "DeadlineExceeded"
    assert 0.6 < checks["subscribe_deadline"]["seconds"] < 2.0
    assert checks["after"]["code"] == "OK"


def run_alone(go_client, tmp_path, *args):
    """The grpc-go client against a server of its own (what it writes stays out of the shared one):
    its last line."""
    proc, address = start_server(tmp_path / "data")
    try:
        run = subprocess.run(
            [str(go_client), "-addr", address, "-credentials", str(tmp_path / "data" / "pki" / "offices" / "sihong.gov"),
             "-tenant", "changshu-sihong", *args],
            capture_output=True, text=True, timeout=180,
        )
    finally:
        stop_server(proc)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_grpc_go_pulls_a_page_of_a_megabyte_while_pinging_for_bandwidth(go_client, tmp_path):
    """grpc-go sends a BDP ping with the WINDOW_UPDATEs it sends while a large message arrives; the
    server sends the page as they come, and must not count those pings as a flood (gRFC A9: data
    sent resets the strikes) and end the connection with ENHANCE_YOUR_CALM."""
    page = run_alone(go_client, tmp_path, "-large-pull")
    assert page["check"] == "large_pull" and page["records"] == 1500
    assert page["bytes"] > 1_000_000, page


def test_grpc_go_follows_a_live_subscription_through_hundreds_of_bdp_pings(go_client, tmp_path):
    """Each change of a live subscription arrives on its own and grpc-go answers nearly each with a
    BDP ping: 400 changes bring hundreds of pings within seconds, more than SwiftNIO's 200 control
    frames in 30 s, which ended the connection with ENHANCE_YOUR_CALM after about 200 changes."""
    live = run_alone(go_client, tmp_path, "-live", "400")
    assert live == {"check": "live", "received": 400}
