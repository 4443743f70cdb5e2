"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the sample data of a
development server: real payloads of every kind, change batches, pushes, every request message,
and JSON/YAML documents. Run once after the schema changes; the corpora are committed."""
import json
import pathlib
import shutil
import sys
import tempfile
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
sys.path.insert(0, str(ROOT / "Tests" / "interop" / "generated"))

from conftest import start_server, stop_server  # noqa: E402
from gongjian.v1 import (  # noqa: E402
    admin_pb2, council_pb2, identity_pb2, partnership_pb2, records_pb2, sync_pb2, sync_pb2_grpc,
)
from test_interop import channel  # noqa: E402

KINDS = ["park", "indicator_report", "transferred_project", "exchange_activity", "assistance_plan",
         "revenue_sharing_agreement", "target", "council", "meeting", "agenda_item", "decision", "action_item"]
# The order of FuzzTarget.requestTypes.
REQUESTS = [
    identity_pb2.WhoAmIRequest(), sync_pb2.PushRequest(tenant_id="sip-suqian", client_id="c"),
    sync_pb2.PullRequest(tenant_id="city", cursor=3, page_size=10), sync_pb2.SubscribeRequest(tenant_id="city", cursor=1),
    sync_pb2.GetRecordRequest(tenant_id="city", kind="park", id=str(uuid.UUID(int=1))),
    admin_pb2.CreateTenantRequest(), admin_pb2.ListTenantsRequest(), admin_pb2.PutOfficeRequest(), admin_pb2.ListOfficesRequest(),
    admin_pb2.SetMembershipRequest(), admin_pb2.RemoveMembershipRequest(), admin_pb2.ListMembershipsRequest(),
    admin_pb2.ListCertificatesRequest(), admin_pb2.RevokeCertificateRequest(serial="0a"),
    partnership_pb2.CreateRecordRequest(tenant_id="city"), partnership_pb2.UpdateRecordRequest(tenant_id="city", base_version=1),
    partnership_pb2.GetTypedRecordRequest(tenant_id="city", kind="park"), partnership_pb2.ListRecordsRequest(tenant_id="city", kind="park", year=2026),
    partnership_pb2.DeleteRecordRequest(tenant_id="city", kind="park"), partnership_pb2.TargetsReportRequest(year=2026),
    partnership_pb2.FlagshipRequest(), partnership_pb2.EvaluationRequest(year=2025),
    council_pb2.CreateMeetingRequest(tenant_id="city", title="会议", held_on="2026-12-16"), council_pb2.ListMeetingsRequest(tenant_id="city"),
    council_pb2.SetMeetingStatusRequest(tenant_id="city"), council_pb2.GetAgendaRequest(tenant_id="city"),
    council_pb2.ProposeRequest(tenant_id="city", title="议题", responsible_units=["市商务局"]), council_pb2.AgendaActionRequest(tenant_id="city", note="n"),
    council_pb2.OrderRequest(tenant_id="city", item_ids=["a", "b"]), council_pb2.DecideRequest(tenant_id="city", text="决定"),
    council_pb2.ListActionsRequest(tenant_id="city", open_only=True), council_pb2.UpdateActionRequest(tenant_id="city", note="进展"),
    council_pb2.UploadAttachmentRequest(tenant_id="city", name="a.pdf", content=b"%PDF-1.4"), council_pb2.PreparePacketRequest(tenant_id="city"),
]


def write(target, name, data):
    folder = ROOT / "fuzz" / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def main():
    shutil.rmtree(ROOT / "fuzz" / "corpus", ignore_errors=True)
    for index, request in enumerate(REQUESTS):
        write("requests", f"{index:02d}-{type(request).__name__}", bytes([index]) + request.SerializeToString())
    data = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-seeds-"))
    proc, address = start_server(data)
    try:
        records = []
        with channel(address, data, "suqian.drc") as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            for tenant in ["sip-suqian", "changshu-sihong", "city"]:
                records += sync.Pull(sync_pb2.PullRequest(tenant_id=tenant, cursor=0, page_size=5000), timeout=30).records
    finally:
        stop_server(proc)
    by_kind = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    for kind, group in by_kind.items():
        for n, record in enumerate(group[:3]):
            write("payloads", f"{kind}-{n}", bytes([KINDS.index(kind)]) + record.payload.value)
    for n in range(6):
        batch = sync_pb2.ChangeBatch(records=records[n * 4 : n * 4 + 1 + n % 4], cursor=records[n * 4 + n % 4].sequence)
        write("frames", f"batch-{n}", batch.SerializeToString())
    for kind, group in by_kind.items():
        record = group[0]
        mutations = [sync_pb2.Mutation(mutation_id=f"m-{kind}", kind=kind, record_id=str(uuid.uuid4()), base_version=0, payload=record.payload)]
        if kind == "park":
            mutations.append(sync_pb2.Mutation(mutation_id="m-delete", kind=kind, record_id=str(uuid.uuid4()), base_version=1, delete=True))
        write("push", f"create-{kind}", sync_pb2.PushRequest(mutations=mutations).SerializeToString())
    park = {"kind": "park", "id": str(uuid.UUID(int=7)), "base_version": 0,
            "payload": {"name": "苏宿工业园区", "host_county": "宿城区", "suzhou_partner": "苏州工业园区",
                        "planned_area_centimu": 1300000, "built_area_centimu": 800000}}
    write("documents", "park.json", b"\x00" + json.dumps([park], ensure_ascii=False).encode())
    write("documents", "delete.json", b"\x00" + json.dumps({"kind": "park", "id": str(uuid.UUID(int=8)), "base_version": 2, "delete": True}).encode())
    write("documents", "park.yaml", b"\x01" + (
        "- kind: park\n  base_version: 0\n  payload:\n    name: 常熟（泗洪）共建园区\n    host_county: 泗洪县\n"
        "    suzhou_partner: 常熟市\n    planned_area_centimu: 500000\n    built_area_centimu: 120000\n").encode())
    write("documents", "project.yaml", b"\x01" + (
        "kind: transferred_project\nmutation_id: p-1\npayload:\n  name: 新能源电池项目\n  status: PROJECT_STATUS_SIGNED\n"
        "  signed_on: 2026-03-01\n").encode())
    for target in ["requests", "payloads", "frames", "push", "documents"]:
        print(target, len(list((ROOT / "fuzz" / "corpus" / target).iterdir())), "seeds")


if __name__ == "__main__":
    main()
