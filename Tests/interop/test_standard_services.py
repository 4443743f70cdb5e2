"""The standard gRPC services that operators and generic clients expect, called with PyPI's own
clients (grpcio-health-checking, grpcio-reflection) over mutual TLS: health with per-service
status, and reflection that lets a client call Gongjian without its proto files."""
import socket
import tempfile
import time

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from conftest import start_server, stop_server
from test_interop import channel

GONGJIAN_SERVICES = [
    "gongjian.v1.Admin", "gongjian.v1.Audit", "gongjian.v1.Councils", "gongjian.v1.Identity", "gongjian.v1.Records",
    "gongjian.v1.Sync", "gongjian.v1.Targets",
]


def test_health_reports_the_server_and_each_service(server):
    address, data = server
    with channel(address, data, "suqian.stats") as ch:
        health = health_pb2_grpc.HealthStub(ch)
        for service in ["", "gongjian.v1.Sync", "grpc.reflection.v1.ServerReflection"]:
            answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING, service
        with pytest.raises(grpc.RpcError) as unknown:
            health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
        watch = health.Watch(health_pb2.HealthCheckRequest(service="gongjian.v1.Records"), timeout=10)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        watch.cancel()


def test_health_needs_a_certificate_on_the_tls_port(server):
    address, _ = server
    with grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=(
            server[1] / "pki" / "ca.pem").read_bytes())) as ch:
        with pytest.raises(grpc.RpcError) as refused:
            health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert refused.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAUTHENTICATED)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_probes_use_a_plaintext_health_port_on_loopback_that_goes_not_serving_on_shutdown():
    data = tempfile.mkdtemp(prefix="gongjian-health-")
    probe = f"127.0.0.1:{free_port()}"
    proc, _ = start_server(data, "quickstart", "--health-listen", probe)
    try:
        with grpc.insecure_channel(probe) as ch:
            health = health_pb2_grpc.HealthStub(ch)
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
            watch = health.Watch(health_pb2.HealthCheckRequest(), timeout=30)
            assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
            # Only health is served there: everything else needs the mutual-TLS port.
            with pytest.raises(grpc.RpcError) as other:
                ch.unary_unary("/gongjian.v1.Identity/WhoAmI")(b"", timeout=10)
            assert other.value.code() == grpc.StatusCode.UNIMPLEMENTED
            proc.terminate()
            statuses = [answer.status for answer in watch]
            assert statuses[-1:] == [health_pb2.HealthCheckResponse.NOT_SERVING], statuses
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            stop_server(proc)


def test_reflection_lists_services_and_a_client_calls_without_proto_files(server):
    address, data = server
    with channel(address, data, "suqian.commerce") as ch:
        stub = reflection_pb2_grpc.ServerReflectionStub(ch)
        answers = list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10))
        names = sorted(s.name for s in answers[0].list_services_response.service)
        assert [n for n in names if n.startswith("gongjian.")] == GONGJIAN_SERVICES
        assert "grpc.health.v1.Health" in names and "grpc.reflection.v1.ServerReflection" in names

        # A client that knows nothing of Gongjian's schema builds the messages from the server.
        database = ProtoReflectionDescriptorDatabase(ch)
        pool = descriptor_pool.DescriptorPool(database)
        service = pool.FindServiceByName("gongjian.v1.Identity")
        method = service.FindMethodByName("WhoAmI")
        request_type = message_factory.GetMessageClass(method.input_type)
        response_type = message_factory.GetMessageClass(method.output_type)
        call = ch.unary_unary("/gongjian.v1.Identity/WhoAmI", request_serializer=request_type.SerializeToString,
                              response_deserializer=response_type.FromString)
        me = call(request_type(), timeout=10)
        assert me.office.id == "suqian.commerce"
        park = pool.FindMessageTypeByName("gongjian.v1.Park")
        assert "planned_area_centimu" in [f.name for f in park.fields]

        missing = list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(file_containing_symbol="no.Such")]), timeout=10))
        assert missing[0].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


def test_reflection_needs_an_authenticated_office(server):
    address, data = server
    with grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=(data / "pki" / "ca.pem").read_bytes())) as ch:
        stub = reflection_pb2_grpc.ServerReflectionStub(ch)
        with pytest.raises(grpc.RpcError):
            list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10))


def test_reflection_v1_answers_too(server):
    # grpcio-reflection ships v1alpha stubs only; v1 has the same messages on the wire.
    address, data = server
    with channel(address, data, "suqian.commerce") as ch:
        call = ch.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        answers = list(call(iter([reflection_pb2.ServerReflectionRequest(file_containing_symbol="gongjian.v1.Sync.Push")]), timeout=10))
        files = answers[0].file_descriptor_response.file_descriptor_proto
        assert len(files) >= 2  # sync.proto and what it imports


def test_prometheus_metrics_and_json_logs(tmp_path):
    import json
    import urllib.request
    from test_interop import park  # noqa: PLC0415
    sys_path_generated = str(__import__("conftest").HERE / "generated")
    import sys  # noqa: PLC0415
    sys.path.insert(0, sys_path_generated)
    from gongjian.v1 import sync_pb2, sync_pb2_grpc  # noqa: PLC0415
    data = tempfile.mkdtemp(prefix="gongjian-metrics-")
    proc, _ = start_server(data)
    stop_server(proc)
    metrics = f"127.0.0.1:{free_port()}"
    proc, address = start_server(data, "serve", "--metrics-listen", metrics, "--log-format", "json", "--log-level", "debug")
    try:
        with channel(address, __import__("pathlib").Path(data), "sihong.gov") as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            sync.Push(sync_pb2.PushRequest(tenant_id="changshu-sihong", client_id="metrics", mutations=[
                sync_pb2.Mutation(mutation_id="m1", kind="park", record_id="6f1c2a3b-0000-4000-8000-000000000001", payload=park("指标园区")),
            ]), timeout=10)
            with pytest.raises(grpc.RpcError):
                sync.Pull(sync_pb2.PullRequest(tenant_id="sip-suqian"), timeout=10)
        text = urllib.request.urlopen(f"http://{metrics}/metrics", timeout=10).read().decode()
        assert 'gongjian_rpcs_total{method="gongjian.v1.Sync/Push",code="ok",tenant="changshu-sihong"} 1' in text, text[:2000]
        assert 'code="permission denied",tenant="sip-suqian"' in text or 'code="permissionDenied",tenant="sip-suqian"' in text, text[:3000]
        assert "gongjian_rpc_duration_seconds_bucket" in text and "gongjian_commit_duration_seconds_count" in text
        assert "gongjian_push_mutations" in text and "gongjian_connections_open" in text
    finally:
        stop_server(proc)
    lines = [json.loads(line) for line in open(proc.log_path, encoding="utf-8") if line.startswith("{")]
    calls = [line for line in lines if line.get("message") == "call"]
    push = next(line for line in calls if line.get("method", "").endswith("Sync/Push"))
    assert push["office"] == "sihong.gov" and push["tenant"] == "changshu-sihong" and push["code"] == "ok" and "duration_ms" in push
