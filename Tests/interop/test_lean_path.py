"""The lean server path (issue 12): every call served on connections of Gongjian's own. A stock
grpcio client sees the same answers, statuses, messages and error details from a server with the
lean path (the default) and one without it (`transport.lean_path: false`, grpc-swift's transport
and GRPCCore), and so do raw HTTP/2 requests the server cannot serve (a compression, an unknown
method, another HTTP method or content type); raw frames also check what a client library would
not send: no message, two messages, a deadline that passes before the request ends, a reset
stream."""
import json
import pathlib
import sys
import tempfile
import time
import uuid

import grpc
import h2.events
import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

from gongjian.v1 import identity_pb2, identity_pb2_grpc, sync_pb2, sync_pb2_grpc  # noqa: E402
from conftest import start_server, stop_server  # noqa: E402
from test_hardening import H2, connect, context, whoami_office  # noqa: E402
from test_interop import channel, park  # noqa: E402

PULL = "/gongjian.v1.Sync/Pull"
SUBSCRIBE = "/gongjian.v1.Sync/Subscribe"


def status_details(error):
    """The google.rpc.Status details a failure carries, as raw bytes (empty when none)."""
    return dict(error.trailing_metadata() or ()).get("grpc-status-details-bin", b"")


def outcomes(address, data, record_id):
    """Calls of every lean method, ordinary and failing, and what the client saw of each."""
    seen = []

    def call(name, invoke):
        try:
            response = invoke()
            seen.append((name, "OK", response.SerializeToString(deterministic=True)))
        except grpc.RpcError as error:
            seen.append((name, error.code().name, error.details(), status_details(error)))

    with channel(address, data, "sihong.gov") as ch, channel(address, data, "siyang.gov") as other:
        sync = sync_pb2_grpc.SyncStub(ch)
        call("whoami", lambda: identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10))
        push = sync_pb2.PushRequest(tenant_id="changshu-sihong", client_id="lean-" + record_id, mutations=[
            sync_pb2.Mutation(mutation_id="m-1", kind="park", record_id=record_id, base_version=0, payload=park("泗洪共建园区 " + record_id)),
        ])
        call("push", lambda: sync.Push(push, timeout=10))
        call("push replayed", lambda: sync.Push(push, timeout=10))
        call("push without tenant", lambda: sync.Push(sync_pb2.PushRequest(client_id="x"), timeout=10))
        call("push to a tenant not joined", lambda: sync_pb2_grpc.SyncStub(other).Push(push, timeout=10))
        call("pull of an unknown tenant", lambda: sync.Pull(sync_pb2.PullRequest(tenant_id="nowhere"), timeout=10))
        call("pull with a bad page size", lambda: sync.Pull(sync_pb2.PullRequest(tenant_id="changshu-sihong", page_size=4_000_000_000), timeout=10))
        call("get record", lambda: sync.GetRecord(sync_pb2.GetRecordRequest(tenant_id="changshu-sihong", kind="park", id=record_id), timeout=10))
        call("subscribe until caught up", lambda: first_caught_up(sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id="changshu-sihong"), timeout=10)))
        call("subscribe to a tenant not joined", lambda: first_caught_up(sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id="wujiang-siyang"), timeout=10)))
        call("subscribe past its deadline", lambda: drain(sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id="changshu-sihong"), timeout=1.5)))
        call("get a missing record", lambda: sync.GetRecord(sync_pb2.GetRecordRequest(tenant_id="changshu-sihong", kind="park", id="00000000-0000-4000-8000-000000000000"), timeout=10))
    return seen


def first_caught_up(stream):
    """Reads a subscription up to its first caught-up heartbeat, which it returns (time zeroed)."""
    for response in stream:
        if response.WhichOneof("event") == "heartbeat" and response.heartbeat.caught_up:
            stream.cancel()
            response.heartbeat.ClearField("server_time")
            response.heartbeat.ClearField("head_sequence")
            return response
    raise AssertionError("the subscription ended before it caught up")


def drain(stream):
    for _ in stream:
        pass
    raise AssertionError("the subscription ended without a status")


REQUEST = [(":method", "POST"), (":scheme", "https"), (":path", "/gongjian.v1.Identity/WhoAmI"), (":authority", "127.0.0.1"),
           ("content-type", "application/grpc"), ("te", "trailers")]


def replaced(name, value):
    return [(key, value if key == name else old) for key, old in REQUEST]


def refusals(address, data):
    """What the server answers to requests it cannot serve, headers and trailers as sent."""
    requests = {
        "gzip": REQUEST + [("grpc-encoding", "gzip")],
        "two encodings": REQUEST + [("grpc-encoding", "identity"), ("grpc-encoding", "gzip")],
        "unknown method": replaced(":path", "/gongjian.v1.Nothing/Here"),
        "GET": replaced(":method", "GET"),
        "JSON": replaced("content-type", "application/json"),
    }
    seen = {}
    with connect(address, context(data)) as sock:
        client = H2(sock)
        for name, headers in requests.items():
            fields, reset = raw_call(client, None, [(message(), True)], request_headers=headers)
            seen[name] = (fields, reset)
    return seen


def without_volatile(seen):
    """Answers as compared across two servers: the pushed record's sequence and timestamps differ,
    and a call past its deadline is ended by whichever of grpcio and the server sees the deadline
    pass first (grpcio's words or the server's; test_deadline_and_reset_on_the_lean_path checks the
    server's own answer on raw frames)."""
    volatile = ("push", "push replayed", "get record", "subscribe past its deadline")
    return [entry[:2] if entry[0] in volatile else entry for entry in seen]


def test_lean_and_grpccore_paths_answer_alike(tmp_path):
    data = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-lean-"))
    proc, _ = start_server(data)
    stop_server(proc)
    answers, refused = {}, {}
    for lean in (True, False):
        config = tmp_path / f"lean-{lean}.json"
        config.write_text(json.dumps({"transport": {"lean_path": lean}}), encoding="utf-8")
        proc, address = start_server(data, "serve", "--config", str(config))
        try:
            answers[lean] = outcomes(address, data, str(uuid.uuid4()))
            refused[lean] = refusals(address, data)
        finally:
            stop_server(proc)
    # Two grpc-encoding values: INTERNAL on both; grpc-swift's message says "encoding", the lean
    # path's names the header.
    lean_two, grpccore_two = refused[True].pop("two encodings"), refused[False].pop("two encodings")
    assert lean_two[0]["grpc-status"] == grpccore_two[0]["grpc-status"] == "13", (lean_two, grpccore_two)
    assert lean_two[0]["grpc-message"] == "grpc-encoding must contain no more than one value.", lean_two
    assert refused[True] == refused[False]
    assert refused[True]["gzip"][0]["grpc-status"] == "12" and refused[True]["JSON"][0][":status"] == "415", refused[True]
    assert [entry[1] for entry in answers[True]] == [
        "OK", "OK", "OK", "INVALID_ARGUMENT", "PERMISSION_DENIED", "PERMISSION_DENIED", "INVALID_ARGUMENT", "OK",
        "OK", "PERMISSION_DENIED", "DEADLINE_EXCEEDED", "NOT_FOUND",
    ], answers[True]
    assert without_volatile(answers[True]) == without_volatile(answers[False])
    # The field-naming details of a refused push travel as google.rpc.Status on both paths.
    assert answers[True][3][3] and answers[True][3][3] == answers[False][3][3]


def raw_call(client, path, frames, headers=(), request_headers=None):
    """Sends HEADERS (a gRPC request to `path`, or `request_headers` as they are) and then `frames`
    (payload, end_stream) on a new stream; the answer."""
    conn, sock = client.conn, client.sock
    stream = conn.get_next_available_stream_id()
    conn.send_headers(stream, request_headers or [
        (":method", "POST"), (":scheme", "https"), (":path", path), (":authority", "127.0.0.1"),
        ("content-type", "application/grpc"), ("te", "trailers"), *headers,
    ], end_stream=not frames)
    sock.sendall(conn.data_to_send())
    for payload, end in frames:
        if payload is None:
            time.sleep(end)
            continue
        conn.send_data(stream, payload, end_stream=end)
        sock.sendall(conn.data_to_send())
    fields, reset = {}, None
    sock.settimeout(10)
    while True:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        done = False
        for event in conn.receive_data(chunk):
            if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)) and event.stream_id == stream:
                fields.update(dict(event.headers))
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                done = True
            elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream:
                reset = event.error_code
                done = True
        outgoing = conn.data_to_send()
        if outgoing:
            sock.sendall(outgoing)
        if done:
            return fields, reset


def message(body=b""):
    return b"\x00" + len(body).to_bytes(4, "big") + body


def test_unary_framing_errors_on_the_lean_path(server):
    address, data = server
    with connect(address, context(data)) as sock:
        client = H2(sock)
        fields, _ = raw_call(client, PULL, [])
        assert fields.get("grpc-status") == "13" and "didn't contain any messages" in fields.get("grpc-message", ""), fields
        fields, _ = raw_call(client, PULL, [(message() + message(), True)])
        assert fields.get("grpc-status") == "13" and "more than one message" in fields.get("grpc-message", ""), fields
        # A second message is refused as it starts, before the client ends its side.
        fields, reset = raw_call(client, PULL, [(message() + message()[:2], False)])
        assert fields.get("grpc-status") == "13" and "more than one message" in fields.get("grpc-message", ""), (fields, reset)
        fields, _ = raw_call(client, PULL, [(message()[:3], True)])
        assert fields.get("grpc-status") == "13" and "message prefix" in fields.get("grpc-message", ""), fields
        fields, _ = raw_call(client, PULL, [(message(b"\xff\xff"), True)])
        assert fields.get("grpc-status") == "3" and "Can't deserialize" in fields.get("grpc-message", ""), fields
        # The connection still serves.
        fields, body, _ = client.call()
        assert whoami_office(body) == "suqian.commerce"


def test_deadline_and_reset_on_the_lean_path(server):
    address, data = server
    with connect(address, context(data)) as sock:
        client = H2(sock)
        # The request's message comes after its 50 ms deadline: DEADLINE_EXCEEDED, and the stream ends.
        fields, _ = raw_call(client, PULL, [(None, 0.5), (message(), True)], headers=[("grpc-timeout", "50m")])
        assert fields.get("grpc-status") == "4", fields
        # A subscription's deadline ends it with DEADLINE_EXCEEDED in trailers after its messages.
        request = sync_pb2.SubscribeRequest(tenant_id="changshu-sihong").SerializeToString()
        started = time.time()
        fields, reset = raw_call(client, SUBSCRIBE, [(message(request), True)], headers=[("grpc-timeout", "700m")])
        assert fields.get("grpc-status") == "4" and fields.get(":status") == "200", (fields, reset)
        assert 0.6 < time.time() - started < 5
        # A stream the client resets before its request ends is dropped; the connection goes on.
        conn = client.conn
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [
            (":method", "POST"), (":scheme", "https"), (":path", PULL), (":authority", "127.0.0.1"),
            ("content-type", "application/grpc"), ("te", "trailers"),
        ])
        conn.reset_stream(stream)
        sock.sendall(conn.data_to_send())
        fields, body, _ = client.call()
        assert whoami_office(body) == "suqian.commerce"
