"""The offline-first client: the `gongjian` CLI with profiles, a mirror and an outbox, against the
real server binary that is stopped, restarted and compacted underneath it."""
import csv
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import BIN, start_server, stop_server

TENANT = "wujiang-siyang"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Office:
    """One office's machine: its own XDG directories (profiles, mirror) and a profile in use."""

    def __init__(self, root, data, office, address):
        self.name = office
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(root / office / "config"),
            "XDG_DATA_HOME": str(root / office / "data"),
        }
        self.env.pop("GONGJIAN_SERVER", None)
        self.env.pop("GONGJIAN_CREDENTIALS", None)
        result = self.run("profile", "add", office, "--server", address, "--credentials", str(data / "pki" / "offices" / office))
        assert result.returncode == 0, result.stderr
        assert (root / office / "config" / "gongjian" / "profiles.json").exists()

    def run(self, *args, timeout=120):
        return subprocess.run([str(BIN / "gongjian"), *args], capture_output=True, text=True, env=self.env, timeout=timeout)

    def ok(self, *args):
        result = self.run(*args)
        assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        return result

    def popen(self, *args, **kwargs):
        return subprocess.Popen([str(BIN / "gongjian"), *args], env=self.env, **kwargs)

    def status(self, tenant=TENANT):
        lines = [json.loads(line) for line in self.ok("status", "--json").stdout.splitlines()]
        return next((line for line in lines if line["tenant_id"] == tenant), None)

    def mirror_path(self):
        return Path(self.env["XDG_DATA_HOME"]) / "gongjian" / self.name / "mirror.sqlite"


def park_yaml(path, names, ids=None, base=None):
    lines = []
    for index, name in enumerate(names):
        lines.append(f"- name: {json.dumps(name, ensure_ascii=False)}")
        if ids:
            lines.append(f"  id: {ids[index]}")
        if base is not None:
            lines.append(f"  base_version: {base}")
        lines += ["  host_county: 泗阳县", "  suzhou_partner: 吴江区", "  planned_area_centimu: 300000"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def server_parks(office):
    """Every live park of the tenant as the server has it (pull from 0, latest version per id)."""
    result = office.ok("pull", "--tenant", TENANT, "--json")
    latest = {}
    for line in result.stdout.splitlines():
        record = json.loads(line)
        if record["kind"] == "park":
            latest[record["id"]] = record
    return [r for r in latest.values() if not r["deleted"]]


@pytest.fixture
def deployment(tmp_path):
    """A data directory and a fixed port, so that the server can be stopped and started again at
    the same address the offices' profiles name."""
    data = Path(tempfile.mkdtemp(prefix="gongjian-offline-"))
    port = free_port()
    address = f"127.0.0.1:{port}"
    proc, _ = start_server(data, listen=address)
    state = {"proc": proc}

    def start(*args):
        if state["proc"] is None:
            state["proc"], _ = start_server(data, "serve", *args, listen=address)

    def stop():
        if state["proc"] is not None:
            stop_server(state["proc"])
            state["proc"] = None

    def office(name):
        return Office(tmp_path, data, name, address)

    yield type("Deployment", (), {"start": staticmethod(start), "stop": staticmethod(stop), "office": staticmethod(office),
                                  "address": address, "data": data})
    stop()


def test_offline_then_online_50_records_from_two_offices(deployment, tmp_path):
    siyang, wujiang = deployment.office("siyang.gov"), deployment.office("wujiang.commerce")
    siyang.ok("sync")
    wujiang.ok("sync")
    before = len(server_parks(siyang))
    deployment.stop()
    names = []
    for office in (siyang, wujiang):
        for batch in range(5):
            batch_names = [f"离线园区 {office.name} {batch}-{n}" for n in range(5)]
            names += batch_names
            path = park_yaml(tmp_path / f"{office.name}-{batch}.yaml", batch_names)
            result = office.run("submit", "park", "--tenant", TENANT, "--file", str(path))
            assert result.returncode == 0, result.stderr
            assert "queued" in result.stderr
        # Offline reads show the queued writes as pending, and status counts them.
        assert office.status()["pending"] == 25
        listed = office.ok("list", "park", "--tenant", TENANT, "--json").stdout
        assert listed.count('"pending"') >= 25
    unreachable = siyang.run("sync")
    assert unreachable.returncode == 69 and "25 queued writes stay" in unreachable.stderr, unreachable.stderr

    deployment.start()
    siyang.ok("sync")
    wujiang.ok("sync")
    siyang.ok("sync")  # picks up what wujiang delivered after siyang's first sync
    parks = server_parks(siyang)
    assert len(parks) == before + 50
    server_names = [p["payload"]["name"] for p in parks]
    for name in names:
        assert server_names.count(name) == 1, name
    a, b = siyang.status(), wujiang.status()
    assert a["pending"] == 0 and b["pending"] == 0
    assert a["verified"] is True and b["verified"] is True
    assert a["checksum"] == b["checksum"] == a["server_checksum"]
    assert a["cursor"] == b["cursor"]


def test_sigkill_during_sync_20_rounds_loses_and_duplicates_nothing(deployment, tmp_path):
    office = deployment.office("siyang.gov")
    office.ok("sync")
    rng = random.Random(20261127)
    names = []
    for round_ in range(20):
        batch = [f"崩溃园区 {round_}-{n}" for n in range(10)]
        names += batch
        office.ok("submit", "park", "--tenant", TENANT, "--file", str(park_yaml(tmp_path / f"r{round_}.yaml", batch)))
        proc = office.popen("sync", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    final = office.ok("sync")
    assert "checksum verified" in final.stdout, final.stdout
    status = office.status()
    assert status["pending"] == 0 and status["conflicts"] == 0 and status["rejected"] == 0
    server_names = [p["payload"]["name"] for p in server_parks(office)]
    for name in names:
        assert server_names.count(name) == 1, name
    assert status["checksum"] == status["server_checksum"]


def conflicts(office):
    return [json.loads(line) for line in office.ok("conflicts", "--json").stdout.splitlines()]


def edit(office, tmp_path, record_id, name, wait):
    path = park_yaml(tmp_path / f"{office.name}-{uuid.uuid4()}.yaml", [name], ids=[record_id])
    args = ["submit", "park", "--tenant", TENANT, "--file", str(path)] + (["--wait"] if wait else [])
    return office.run(*args)


def test_conflict_keeps_both_versions_and_each_resolution_converges(deployment, tmp_path):
    siyang, wujiang = deployment.office("siyang.gov"), deployment.office("wujiang.commerce")
    record_id = str(uuid.uuid4())
    created = siyang.run("submit", "park", "--tenant", TENANT, "--wait",
                         "--file", str(park_yaml(tmp_path / "new.yaml", ["共建园区 原名"], ids=[record_id])))
    assert created.returncode == 0 and "applied v1" in created.stdout, created.stdout + created.stderr
    wujiang.ok("sync")

    def conflict_round(theirs_name, mine_name):
        # Suzhou's office edits and delivers first; Suqian's office edited the same version offline.
        assert "applied" in edit(wujiang, tmp_path, record_id, theirs_name, wait=True).stdout
        queued = edit(siyang, tmp_path, record_id, mine_name, wait=False)
        assert queued.returncode == 0 and "queued" in queued.stderr
        synced = siyang.run("sync")  # the conflict is this run's: exit 67, as with submit --wait
        assert synced.returncode == 67 and "writes need you" in synced.stderr, synced.stdout + synced.stderr
        items = conflicts(siyang)
        assert len(items) == 1, items
        item = items[0]
        assert item["state"] == "conflict" and item["record_id"] == record_id
        assert item["mine"]["name"] == mine_name and item["theirs"]["name"] == theirs_name
        return item

    def converge():
        siyang.ok("sync")
        wujiang.ok("sync")
        a, b = siyang.status(), wujiang.status()
        assert a["checksum"] == b["checksum"] == a["server_checksum"] and a["verified"] and b["verified"]
        assert conflicts(siyang) == [] and a["pending"] == 0
        current = [p for p in server_parks(siyang) if p["id"] == record_id][0]
        return current

    # Nothing is overwritten silently: the server still has theirs until resolved.
    item = conflict_round("苏州版本 1", "宿迁版本 1")
    assert [p for p in server_parks(siyang) if p["id"] == record_id][0]["payload"]["name"] == "苏州版本 1"
    resolved = siyang.run("conflicts", "resolve", str(item["number"]), "--keep", "mine", "--wait")
    assert resolved.returncode == 0, resolved.stderr
    assert converge()["payload"]["name"] == "宿迁版本 1"

    item = conflict_round("苏州版本 2", "宿迁版本 2")
    siyang.ok("conflicts", "resolve", str(item["number"]), "--keep", "theirs")
    assert converge()["payload"]["name"] == "苏州版本 2"

    item = conflict_round("苏州版本 3", "宿迁版本 3")
    merged = park_yaml(tmp_path / "merged.yaml", ["合并版本 3"])
    siyang.ok("conflicts", "resolve", str(item["number"]), "--file", str(merged), "--wait")
    assert converge()["payload"]["name"] == "合并版本 3"

    unknown = siyang.run("conflicts", "resolve", "9999", "--keep", "mine")
    assert unknown.returncode == 64 and "no such item" in unknown.stderr


def test_mirror_reset_after_compaction_refetches_and_verifies(deployment, tmp_path):
    deployment.stop()
    deployment.start("--retention-days", "0", "--compaction-interval-seconds", "1")
    siyang, wujiang = deployment.office("siyang.gov"), deployment.office("wujiang.commerce")
    record_id = str(uuid.uuid4())
    wujiang.ok("submit", "park", "--tenant", TENANT, "--wait", "--file", str(park_yaml(tmp_path / "a.yaml", ["将被删除"], ids=[record_id])))
    siyang.ok("sync")
    assert record_id in siyang.ok("list", "park", "--tenant", TENANT, "--offline", "--json").stdout
    delete = tmp_path / "delete.yaml"
    delete.write_text(f"- kind: park\n  id: {record_id}\n  base_version: 1\n  delete: true\n", encoding="utf-8")
    assert "deleted" in wujiang.ok("push", "--tenant", TENANT, "--file", str(delete), "--wait").stdout
    # A compaction purges the tombstone: a mirror behind it could never learn of the delete, so
    # the server answers its cursor with a reset and the client refetches the tenant.
    time.sleep(3)
    result = siyang.ok("sync")
    assert "refetched" in result.stdout and "checksum verified" in result.stdout, result.stdout
    status = siyang.status()
    assert status["verified"] is True and "refetched" in status["note"]
    assert status["checksum"] == status["server_checksum"]
    assert record_id not in siyang.ok("list", "park", "--tenant", TENANT, "--offline", "--json").stdout


def test_sync_watch_resumes_after_a_server_restart(deployment, tmp_path):
    siyang, wujiang = deployment.office("siyang.gov"), deployment.office("wujiang.commerce")
    log = open(tmp_path / "watch.log", "w")
    watcher = siyang.popen("sync", "--tenant", TENANT, "--watch", stdout=log, stderr=log)
    try:
        def wait_for(name):
            deadline = time.time() + 60
            while time.time() < deadline:
                listed = siyang.run("list", "park", "--tenant", TENANT, "--offline", "--json")
                if name in listed.stdout:
                    return
                time.sleep(0.5)
            raise AssertionError(f"{name} never reached the watching mirror: {(tmp_path / 'watch.log').read_text()}")

        wujiang.ok("submit", "park", "--tenant", TENANT, "--wait", "--file", str(park_yaml(tmp_path / "w1.yaml", ["直播园区 1"])))
        wait_for("直播园区 1")
        deployment.stop()
        time.sleep(1)
        deployment.start()
        wujiang.ok("submit", "park", "--tenant", TENANT, "--wait", "--file", str(park_yaml(tmp_path / "w2.yaml", ["直播园区 2"])))
        wait_for("直播园区 2")
        # A write queued while watching is delivered by the watcher.
        siyang.ok("submit", "park", "--tenant", TENANT, "--file", str(park_yaml(tmp_path / "w3.yaml", ["直播园区 3"])))
        deadline = time.time() + 30
        while siyang.status()["pending"] and time.time() < deadline:
            time.sleep(0.5)
        assert siyang.status()["pending"] == 0
        assert "直播园区 3" in [p["payload"]["name"] for p in server_parks(wujiang)]
    finally:
        watcher.kill()
        watcher.wait()
        log.close()


def test_unknown_keys_and_bad_values_are_named(deployment, tmp_path):
    office = deployment.office("siyang.gov")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: 园区\n  base_verison: 1\n", encoding="utf-8")
    result = office.run("submit", "park", "--tenant", TENANT, "--file", str(bad))
    assert result.returncode == 64
    assert "base_verison" in result.stderr and "did you mean base_version" in result.stderr
    enum = tmp_path / "enum.yaml"
    enum.write_text("- name: 项目\n  status: started\n", encoding="utf-8")
    result = office.run("submit", "transferred_project", "--tenant", TENANT, "--file", str(enum))
    assert result.returncode == 64
    assert "field status" in result.stderr and "PROJECT_STATUS_STARTED" in result.stderr
    assert "unknownField" not in result.stderr and "unrecognizedEnumValue" not in result.stderr
    assert office.status() is None or office.status()["pending"] == 0


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


def test_csv_import_is_all_or_nothing_and_round_trips(deployment, tmp_path):
    office = deployment.office("siyang.gov")
    office.ok("sync")
    exported = tmp_path / "parks.csv"
    office.ok("export", "park", "--tenant", TENANT, "--format", "csv", "--out", str(exported))
    rows = read_csv(exported)
    labelled = rows[0]
    # Headers are Chinese with the unit, and the field name in parentheses.
    assert labelled[:3] == ["记录编号 (id)", "版本 (version)", "名称 (name)"]
    assert "规划面积（0.01亩） (planned_area_centimu)" in labelled
    header = [h.rsplit("(", 1)[1].rstrip(")") for h in labelled]
    assert len(rows) >= 2
    # Unchanged, the file round-trips: nothing to queue, and a new export is identical.
    same = office.run("import", "park", "--tenant", TENANT, "--file", str(exported))
    assert same.returncode == 0 and "nothing to import" in same.stdout, same.stdout + same.stderr
    again = tmp_path / "again.csv"
    office.ok("export", "park", "--tenant", TENANT, "--out", str(again))
    assert exported.read_bytes() == again.read_bytes()

    # One bad cell: refused whole, row and column named, nothing queued.
    bad_rows = [list(r) for r in rows]
    bad_rows.append(["", "", "新园区", "", "泗阳县", "吴江区", "不是数字"] + [""] * (len(header) - 7))
    bad_rows[1][header.index("name")] = "改名园区"
    bad_rows[1][header.index("planned_area_centimu")] = "三十万"
    bad = tmp_path / "bad.csv"
    write_csv(bad, bad_rows)
    refused = office.run("import", "park", "--tenant", TENANT, "--file", str(bad))
    assert refused.returncode == 64, refused.stderr
    assert f"row 2, column {chr(65 + header.index('planned_area_centimu'))} (planned_area_centimu)" in refused.stderr, refused.stderr
    assert "nothing was queued" in refused.stderr
    assert office.status()["pending"] == 0

    # Headers may be field names, bare Chinese labels, or both; a valid change is queued.
    good_rows = [list(r) for r in rows]
    good_rows[0] = ["名称" if h == "name" else h for h in header]
    good_rows[1][header.index("name")] = "改名园区"
    good = tmp_path / "good.csv"
    write_csv(good, good_rows)
    queued = office.run("import", "park", "--tenant", TENANT, "--file", str(good), "--wait")
    assert queued.returncode == 0, queued.stdout + queued.stderr
    assert "applied v" in queued.stdout
    assert "改名园区" in [p["payload"]["name"] for p in server_parks(office)]


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_council_moves_work_offline_and_reports_come_from_the_mirror(deployment, tmp_path):
    # suqian.drc: an overseer (its mirror holds every tenant) and the city tenant's admin.
    commerce, secretariat = deployment.office("suqian.commerce"), deployment.office("suqian.drc")
    commerce.ok("sync")
    secretariat.ok("sync")
    meetings = lines(commerce.ok("council", "meetings", "--tenant", "city", "--json", "--offline"))
    draft = [m for m in meetings if m["meeting"]["status"] == "MEETING_STATUS_DRAFT"][0]

    # Targets and the evaluation offline are the server's (its summary, kept by sync).
    online = lines(secretariat.ok("targets", "--year", "2025", "--json"))
    offline = lines(secretariat.ok("targets", "--year", "2025", "--json", "--offline"))
    assert online[0]["results"] == offline[0]["results"] and online[1] == {k: v for k, v in offline[1].items() if k != "as_of"}
    assert lines(secretariat.ok("evaluation", "--year", "2025", "--json"))[0]["parks"] == \
        lines(secretariat.ok("evaluation", "--year", "2025", "--json", "--offline"))[0]["parks"]

    deployment.stop()
    item_file = tmp_path / "item.yaml"
    item_file.write_text("title: 离线提出的议题\nsummary: 在没有网络时准备\nresponsible_units: [宿迁市商务局]\n", encoding="utf-8")
    proposed = commerce.run("council", "propose", "--meeting", draft["id"], "--file", str(item_file), "--tenant", "city")
    assert proposed.returncode == 0 and "queued" in proposed.stderr, proposed.stderr
    agenda = lines(commerce.ok("council", "agenda", "--meeting", draft["id"], "--tenant", "city", "--json"))[0]
    item = [i for i in agenda["items"] if i["item"]["title"] == "离线提出的议题"][0]
    assert item["item"]["status"] == "AGENDA_ITEM_STATUS_PROPOSED" and item["item"]["proposing_office"] == "suqian.commerce"
    typo = tmp_path / "typo.yaml"
    typo.write_text("titel: x\n", encoding="utf-8")
    bad = commerce.run("council", "propose", "--meeting", draft["id"], "--file", str(typo), "--tenant", "city")
    assert bad.returncode == 64 and "did you mean title" in bad.stderr

    deployment.start()
    commerce.ok("sync")
    secretariat.ok("sync")
    deployment.stop()
    accepted = secretariat.run("council", "accept", item["id"], "--tenant", "city", "--note", "同意列入")
    assert accepted.returncode == 0 and "queued" in accepted.stderr, accepted.stderr
    deployment.start()
    secretariat.ok("sync")
    # Decisions are recorded once the meeting is held: published, then held.
    for status in ("published", "held"):
        moved = secretariat.run("council", "set-status", "--meeting", draft["id"], "--status", status, "--tenant", "city", "--wait")
        assert moved.returncode == 0 and "applied" in moved.stdout, moved.stdout + moved.stderr
    again = secretariat.run("council", "set-status", "--meeting", draft["id"], "--status", "held", "--tenant", "city")
    assert again.returncode == 64 and "status: the meeting already has this status" in again.stderr, again.stderr
    decision = tmp_path / "decision.yaml"
    decision.write_text("text: 同意推进\nactions:\n  - {title: 编制方案, owner_unit: 宿迁市商务局, due_on: '2027-03-31'}\n", encoding="utf-8")
    decided = secretariat.run("council", "decide", item["id"], "--file", str(decision), "--tenant", "city", "--wait")
    assert decided.returncode == 0 and "applied" in decided.stdout, decided.stdout + decided.stderr
    commerce.ok("sync")
    actions = lines(commerce.ok("council", "actions", "--tenant", "city", "--json", "--offline"))
    action = [a for a in actions if a["action"]["title"] == "编制方案"][0]
    updated = commerce.run("council", "update-action", action["id"], "--status", "done", "--note", "方案已报送", "--tenant", "city", "--wait")
    assert updated.returncode == 0 and "applied" in updated.stdout, updated.stdout + updated.stderr

    # The server saw each move once, in order.
    agenda = lines(secretariat.ok("council", "agenda", "--meeting", draft["id"], "--tenant", "city", "--json"))[0]
    item = [i for i in agenda["items"] if i["id"] == item["id"]][0]
    assert item["item"]["status"] == "AGENDA_ITEM_STATUS_ACCEPTED" and item["item"]["order"] >= 1
    assert [e["action"] for e in item["item"]["history"]] == ["proposed", "accepted"]

    # The packet from the mirror has the accepted item, as the server's has.
    secretariat.ok("sync")
    online_packet, offline_packet = tmp_path / "online.md", tmp_path / "offline.md"
    secretariat.ok("council", "packet", "--meeting", draft["id"], "--tenant", "city", "--format", "md", "--out", str(online_packet))
    secretariat.ok("council", "packet", "--meeting", draft["id"], "--tenant", "city", "--format", "md", "--out", str(offline_packet), "--offline")
    texts = [path.read_text(encoding="utf-8") for path in (online_packet, offline_packet)]
    for text in texts:
        assert "离线提出的议题" in text
    headings = [[line for line in text.splitlines() if line.startswith("## ")] for text in texts]
    assert headings[0] == headings[1] and len(headings[0]) >= 5


def test_xlsx_export_opens_in_openpyxl_and_an_edited_workbook_imports(deployment, tmp_path):
    import openpyxl

    office = deployment.office("siyang.gov")
    office.ok("sync")
    exported = tmp_path / "parks.xlsx"
    office.ok("export", "park", "--tenant", TENANT, "--format", "xlsx", "--out", str(exported))
    csv_path = tmp_path / "parks.csv"
    office.ok("export", "park", "--tenant", TENANT, "--format", "csv", "--out", str(csv_path))
    book = openpyxl.load_workbook(exported)
    sheet = book.worksheets[0]
    cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    width = len(cells[0])
    expected = [row + [""] * (width - len(row)) for row in read_csv(csv_path)]
    assert cells == expected  # the same cells as the CSV export

    # Unchanged, the workbook round-trips: nothing to queue.
    same = office.run("import", "park", "--tenant", TENANT, "--file", str(exported))
    assert same.returncode == 0 and "nothing to import" in same.stdout, same.stdout + same.stderr

    # Saved by another program (shared strings, numbers as numbers), with one bad cell: refused whole.
    header = [h.rsplit("(", 1)[1].rstrip(")") for h in cells[0]]
    sheet.cell(row=2, column=header.index("name") + 1, value="表格改名园区")
    sheet.cell(row=2, column=header.index("planned_area_centimu") + 1, value="很大")
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    refused = office.run("import", "park", "--tenant", TENANT, "--file", str(bad))
    assert refused.returncode == 64
    assert f"row 2, column {chr(65 + header.index('planned_area_centimu'))} (planned_area_centimu)" in refused.stderr, refused.stderr
    assert office.status()["pending"] == 0

    sheet.cell(row=2, column=header.index("planned_area_centimu") + 1, value=int(cells[1][header.index("planned_area_centimu")] or 0))
    good = tmp_path / "good.xlsx"
    book.save(good)
    applied = office.run("import", "park", "--tenant", TENANT, "--file", str(good), "--wait")
    assert applied.returncode == 0 and "applied" in applied.stdout, applied.stdout + applied.stderr
    assert "表格改名园区" in [p["payload"]["name"] for p in server_parks(office)]


def test_a_tenant_the_office_cannot_read_is_refused_by_name_and_the_rest_synced(deployment):
    office = deployment.office("wujiang.commerce")
    result = office.run("sync", "--tenant", "sip-suqian")
    assert result.returncode == 77, result.stdout + result.stderr
    assert "sip-suqian" in result.stdout and "not permitted" in result.stdout
    ok = office.run("sync")
    assert ok.returncode == 0 and "wujiang-siyang" in ok.stdout and "checksum verified" in ok.stdout
