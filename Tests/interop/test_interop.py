"""A stock Python grpcio client against the real server binary over mutual TLS."""
import pathlib
import subprocess
import sys
import tempfile
import uuid

import grpc
import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

from gongjian.v1 import identity_pb2, identity_pb2_grpc, park_pb2, partnership_pb2, partnership_pb2_grpc, records_pb2, sync_pb2, sync_pb2_grpc  # noqa: E402
from google.protobuf import any_pb2  # noqa: E402
from conftest import BIN  # noqa: E402

def channel(address, data, office):
    folder = data / "pki" / "offices" / office
    creds = grpc.ssl_channel_credentials(
        root_certificates=(folder / "ca.pem").read_bytes(),
        private_key=(folder / "key.pem").read_bytes(),
        certificate_chain=(folder / "cert.pem").read_bytes(),
    )
    return grpc.secure_channel(address, creds)


def park(name):
    payload = any_pb2.Any()
    payload.Pack(park_pb2.Park(name=name, host_county="泗洪县", suzhou_partner="常熟市",
                               planned_area_centimu=500000, built_area_centimu=120000))
    return payload


def pull_all(sync, tenant, page_size=1000):
    """Every live record of a tenant's feed, pulled from cursor 0 page by page."""
    records, cursor = [], 0
    while True:
        page = sync.Pull(sync_pb2.PullRequest(tenant_id=tenant, cursor=cursor, page_size=page_size), timeout=30)
        records += page.records
        cursor = page.next_cursor
        if not page.more:
            return records


def test_whoami(server):
    address, data = server
    with channel(address, data, "changshu.commerce") as ch:
        me = identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
        assert me.office.id == "changshu.commerce"
        assert me.office.side == identity_pb2.SIDE_SUZHOU
        assert [m.tenant_id for m in me.memberships] == ["changshu-sihong"]


def test_push_pull_subscribe(server):
    address, data = server
    with channel(address, data, "sihong.gov") as ch:
        sync = sync_pb2_grpc.SyncStub(ch)
        record_id = str(uuid.uuid4())
        request = sync_pb2.PushRequest(tenant_id="changshu-sihong", client_id="python-interop", mutations=[
            sync_pb2.Mutation(mutation_id="py-1", kind="park", record_id=record_id, base_version=0,
                              payload=park("常熟（泗洪）共建园区二期")),
        ])
        first = sync.Push(request, timeout=10)
        assert first.results[0].WhichOneof("outcome") == "applied"
        replay = sync.Push(request, timeout=10)
        assert replay.results[0].replayed
        assert replay.results[0].applied.sequence == first.results[0].applied.sequence

        seq = first.results[0].applied.sequence
        page = sync.Pull(sync_pb2.PullRequest(tenant_id="changshu-sihong", cursor=seq - 1), timeout=10)
        assert [r.id for r in page.records] == [record_id]
        assert page.checkpoint.head_sequence == seq
        decoded = park_pb2.Park()
        assert page.records[0].payload.Unpack(decoded)
        assert decoded.name == "常熟（泗洪）共建园区二期"

        stream = sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id="changshu-sihong", cursor=seq - 1), timeout=20)
        seen = []
        for event in stream:
            kind = event.WhichOneof("event")
            if kind == "changes":
                seen += [r.sequence for r in event.changes.records]
            if kind == "heartbeat" and event.heartbeat.caught_up:
                break
        stream.cancel()
        assert seen == [seq]

        with pytest.raises(grpc.RpcError) as denied:
            sync.Pull(sync_pb2.PullRequest(tenant_id="sip-suqian"), timeout=10)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "not a member of tenant sip-suqian" in denied.value.details()


def test_refused_without_certificate(server):
    address, data = server
    creds = grpc.ssl_channel_credentials(root_certificates=(data / "pki" / "ca.pem").read_bytes())
    with grpc.secure_channel(address, creds) as ch:
        with pytest.raises(grpc.RpcError) as refused:
            identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_concurrent_stream_limit_per_connection():
    """With --max-concurrent-streams 2, a third stream on the connection waits; a deadline ends it."""
    data = tempfile.mkdtemp(prefix="gongjian-streams-")
    subprocess.run([str(BIN / "gongjian-server"), "init", "--dev", "--data-dir", data],
                   check=True, capture_output=True)
    proc = subprocess.Popen(
        [str(BIN / "gongjian-server"), "serve", "--data-dir", data, "--listen", "127.0.0.1:0",
         "--max-concurrent-streams", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        address = line.strip().rsplit(" ", 1)[-1]
        with channel(address, pathlib.Path(data), "suqian.finance") as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            streams = [sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id="sip-suqian"), timeout=30) for _ in range(2)]
            for stream in streams:
                next(stream)  # the catch-up heartbeat: both streams are open
            who = identity_pb2_grpc.IdentityStub(ch)
            with pytest.raises(grpc.RpcError) as waited:
                who.WhoAmI(identity_pb2.WhoAmIRequest(), timeout=1)
            assert waited.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            streams[0].cancel()
            assert who.WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10).office.id == "suqian.finance"
            streams[1].cancel()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


CHANGSHU_SIHONG_PARK = "5a1e0000-0000-4000-8000-000000000002"


def test_submit_and_list_project(server):
    address, data = server
    with channel(address, data, "sihong.gov") as ch:
        records = partnership_pb2_grpc.RecordsStub(ch)
        project = records_pb2.TransferredProject(
            name="常熟智能装备项目（Python 客户端）", source_enterprise="常熟某智能装备有限公司",
            source_district="常熟市", industry="高端装备制造", planned_investment_yuan=880_000_000,
            host_park_id=CHANGSHU_SIHONG_PARK, status=records_pb2.PROJECT_STATUS_SIGNED,
            lead_on="2026-08-01", signed_on="2026-10-18",
        )
        created = records.Create(partnership_pb2.CreateRecordRequest(
            tenant_id="changshu-sihong", payload=partnership_pb2.RecordPayload(transferred_project=project)), timeout=10)
        assert created.kind == "transferred_project" and created.version == 1

        listed = records.List(partnership_pb2.ListRecordsRequest(
            tenant_id="changshu-sihong", kind="transferred_project", status=records_pb2.PROJECT_STATUS_SIGNED,
            year=2026, page_size=1000), timeout=10)
        names = {r.id: r.payload.transferred_project.name for r in listed.records}
        assert names[created.id] == "常熟智能装备项目（Python 客户端）"

        project.status = records_pb2.PROJECT_STATUS_LEAD
        with pytest.raises(grpc.RpcError) as backwards:
            records.Update(partnership_pb2.UpdateRecordRequest(
                tenant_id="changshu-sihong", id=created.id, base_version=1,
                payload=partnership_pb2.RecordPayload(transferred_project=project)), timeout=10)
        assert backwards.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "allowed next: STARTED, CANCELLED" in backwards.value.details()
