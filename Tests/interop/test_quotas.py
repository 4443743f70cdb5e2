"""Quotas: a tenant that floods the server is refused with RESOURCE_EXHAUSTED and when to
retry, while another tenant's offices go on unaffected."""
import sys
import tempfile
import time
from pathlib import Path

import grpc

from conftest import HERE, start_server, stop_server
from test_interop import channel

sys.path.insert(0, str(HERE / "generated"))
from gongjian.v1 import sync_pb2, sync_pb2_grpc  # noqa: E402


def test_a_flooding_tenant_is_refused_and_another_is_not():
    data = Path(tempfile.mkdtemp(prefix="gongjian-quota-"))
    proc, address = start_server(data)
    stop_server(proc)
    proc, address = start_server(data, "serve", "--tenant-requests-per-second", "5")
    try:
        with channel(address, data, "siyang.gov") as flood, channel(address, data, "sihong.gov") as calm:
            flooder, other = sync_pb2_grpc.SyncStub(flood), sync_pb2_grpc.SyncStub(calm)
            refused = []
            for _ in range(40):
                try:
                    flooder.Pull(sync_pb2.PullRequest(tenant_id="wujiang-siyang", cursor=0, page_size=1), timeout=10)
                except grpc.RpcError as error:
                    refused.append(error)
            assert len(refused) >= 25, len(refused)
            error = refused[-1]
            assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "tenant wujiang-siyang is over its quota of 5 requests per second (burst 10); retry in" in error.details()
            details = dict(error.trailing_metadata())
            assert "grpc-status-details-bin" in details  # google.rpc.RetryInfo
            # The other tenant is not held back.
            for _ in range(8):
                other.Pull(sync_pb2.PullRequest(tenant_id="changshu-sihong", cursor=0, page_size=1), timeout=10)
            # And the flooder gets in again once it waits.
            time.sleep(0.5)
            flooder.Pull(sync_pb2.PullRequest(tenant_id="wujiang-siyang", cursor=0, page_size=1), timeout=10)
    finally:
        stop_server(proc)


def test_an_office_at_its_connection_cap_is_refused_and_another_office_is_not():
    data = Path(tempfile.mkdtemp(prefix="gongjian-office-cap-"))
    proc, address = start_server(data)
    stop_server(proc)
    proc, address = start_server(data, "serve", "--max-connections-per-office", "2")

    def connect(office):
        folder = data / "pki" / "offices" / office
        creds = grpc.ssl_channel_credentials(
            root_certificates=(folder / "ca.pem").read_bytes(), private_key=(folder / "key.pem").read_bytes(),
            certificate_chain=(folder / "cert.pem").read_bytes())
        # A subchannel pool of its own: a new connection per channel.
        return grpc.secure_channel(address, creds, options=[("grpc.use_local_subchannel_pool", 1)])

    def whoami(ch):
        from gongjian.v1 import identity_pb2, identity_pb2_grpc  # noqa: PLC0415
        return identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)

    try:
        first, second, third = connect("siyang.gov"), connect("siyang.gov"), connect("siyang.gov")
        whoami(first)
        whoami(second)
        try:
            whoami(third)
            raise AssertionError("a third connection of siyang.gov was admitted")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.UNAVAILABLE
        other = connect("sihong.gov")
        assert whoami(other).office.id == "sihong.gov"
        # A connection closed frees its place.
        first.close()
        time.sleep(0.5)
        fourth = connect("siyang.gov")
        assert whoami(fourth).office.id == "siyang.gov"
        for ch in (second, third, other, fourth):
            ch.close()
    finally:
        stop_server(proc)
    log = Path(proc.log_path).read_text()
    assert "cap=connections per office" in log and "office=siyang.gov" in log


def test_live_subscriptions_per_office_are_capped(tmp_path):
    import json
    data = Path(tempfile.mkdtemp(prefix="gongjian-subscriptions-"))
    proc, address = start_server(data)
    stop_server(proc)
    config = tmp_path / "server.json"
    config.write_text(json.dumps({"limits": {"max_subscriptions_per_office": 1}}), encoding="utf-8")
    proc, address = start_server(data, "serve", "--config", str(config))
    try:
        with channel(address, data, "siyang.gov") as ch, channel(address, data, "sihong.gov") as other_ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            first = sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id="wujiang-siyang"), timeout=30)
            next(first)
            second = sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id="wujiang-siyang"), timeout=30)
            try:
                next(second)
                raise AssertionError("a second subscription of siyang.gov was admitted")
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                assert "office siyang.gov has 1 live subscriptions, the limit" in error.details()
            other = sync_pb2_grpc.SyncStub(other_ch).Subscribe(sync_pb2.SubscribeRequest(tenant_id="changshu-sihong"), timeout=30)
            next(other)
            other.cancel()
            first.cancel()
    finally:
        stop_server(proc)


def test_a_write_past_the_stored_bytes_quota_is_refused_not_remembered_and_deletes_go_through():
    import uuid
    from test_interop import park  # noqa: PLC0415
    data = Path(tempfile.mkdtemp(prefix="gongjian-bytes-"))
    proc, address = start_server(data)
    stop_server(proc)
    # The sample data of wujiang-siyang takes some kilobytes; leave room for a few parks only.
    proc, address = start_server(data, "serve", "--tenant-stored-bytes", "1")
    try:
        with channel(address, data, "siyang.gov") as ch, channel(address, data, "sihong.gov") as other_ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            answer = sync.Push(sync_pb2.PushRequest(tenant_id="wujiang-siyang", client_id="bytes", mutations=[
                sync_pb2.Mutation(mutation_id="b1", kind="park", record_id=str(uuid.uuid4()), payload=park("超额园区")),
            ]), timeout=10)
            refused = answer.results[0].rejected
            assert refused.code == 8, answer
            assert "tenant wujiang-siyang stores" in refused.message and "would pass its quota of 1 bytes" in refused.message
            # Not remembered: the same mutation id is evaluated again, not replayed.
            again = sync.Push(sync_pb2.PushRequest(tenant_id="wujiang-siyang", client_id="bytes", mutations=[
                sync_pb2.Mutation(mutation_id="b1", kind="park", record_id=str(uuid.uuid4()), payload=park("超额园区")),
            ]), timeout=10)
            assert not again.results[0].replayed
            # A delete takes room back and is never refused.
            page = sync.Pull(sync_pb2.PullRequest(tenant_id="wujiang-siyang", cursor=0, page_size=1000), timeout=10)
            activity = next(r for r in page.records if r.kind == "exchange_activity" and not r.deleted)
            deleted = sync.Push(sync_pb2.PushRequest(tenant_id="wujiang-siyang", client_id="bytes", mutations=[
                sync_pb2.Mutation(mutation_id="d1", kind="exchange_activity", record_id=activity.id, base_version=activity.version, delete=True),
            ]), timeout=10)
            assert deleted.results[0].WhichOneof("outcome") == "applied", deleted
    finally:
        stop_server(proc)
