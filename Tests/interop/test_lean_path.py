"""The lean server path: every call served on connections of Gongjian's own. A stock grpcio
client gets the statuses, messages and error details grpc-swift-nio-transport and GRPCCore gave
(the answers below were compared with that stack's, side by side in one run, while the server
still had it), and so do raw HTTP/2 requests the server cannot serve (a compression, an unknown
method, another HTTP method or content type); raw frames also check what a client library would
not send: no message, two messages, a deadline that passes before the request ends, a reset
stream."""
import pathlib
import sys
import time
import uuid

import grpc
import h2.events

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

from gongjian.v1 import identity_pb2, identity_pb2_grpc, sync_pb2, sync_pb2_grpc  # noqa: E402
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


def test_the_lean_path_answers_as_grpc_swift_did(server):
    address, data = server
    answers = outcomes(address, data, str(uuid.uuid4()))
    assert [entry[1] for entry in answers] == [
        "OK", "OK", "OK", "INVALID_ARGUMENT", "PERMISSION_DENIED", "PERMISSION_DENIED", "INVALID_ARGUMENT", "OK",
        "OK", "PERMISSION_DENIED", "DEADLINE_EXCEEDED", "NOT_FOUND",
    ], answers
    named = {entry[0]: entry for entry in answers}
    assert named["push without tenant"][2] == "tenant_id: required"
    assert named["push to a tenant not joined"][2] == "office siyang.gov is not a member of tenant changshu-sihong; push needs contributor"
    assert named["pull with a bad page size"][2] == "page_size: at most 5000 (got 4000000000)"
    assert named["get a missing record"][2].startswith("no park record 00000000-0000-4000-8000-000000000000")
    # The field-naming details of a refused request travel as google.rpc.Status.
    assert named["push without tenant"][3] and named["pull with a bad page size"][3]
    assert named["push replayed"][2] != named["push"][2]  # the replay says so (`replayed`), the rest is the first answer

    refused = refusals(address, data)
    assert refused["gzip"] == ({":status": "200", "content-type": "application/grpc", "grpc-status": "12",
                                "grpc-message": "gzip compression is not supported; supported algorithms are listed in grpc-accept-encoding",
                                "grpc-accept-encoding": "identity"}, None)
    assert refused["two encodings"] == ({":status": "200", "content-type": "application/grpc", "grpc-status": "13",
                                         "grpc-message": "grpc-encoding must contain no more than one value."}, None)
    assert refused["unknown method"] == ({":status": "200", "content-type": "application/grpc", "grpc-status": "12",
                                          "grpc-message": "Requested RPC isn't implemented by this server."}, None)
    assert refused["GET"] == ({":status": "200", "content-type": "application/grpc", "grpc-status": "3",
                               "grpc-message": ':method header is expected to be present and have a value of "POST".'}, None)
    assert refused["JSON"] == ({":status": "415"}, None)


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
