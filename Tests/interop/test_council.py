"""The joint council from the `gongjian` CLI, as a secretary works it: the meeting packet in each
edition (PDF pages checked), the agenda moves that must not renumber or half-apply, and the
warnings that a unit slip earns."""
import json
import re
import shutil
import subprocess

import pytest

from test_offline import TENANT, deployment, lines, park_yaml  # noqa: F401 (the fixture)

MEETING_2026 = "c0c0000c-0000-4000-8000-000000002026"
ITEM_PROJECTS = "c0c0000c-0000-4000-8000-0000000a2601"
ITEM_FINANCE = "c0c0000c-0000-4000-8000-0000000a2602"
ITEM_TRAINING = "c0c0000c-0000-4000-8000-0000000a2603"


def accepted_numbers(office, meeting=MEETING_2026):
    agenda = lines(office.ok("council", "agenda", "--meeting", meeting, "--tenant", "city", "--json"))[0]
    return [(i["id"], i["item"].get("order", 0)) for i in agenda["items"] if i["item"]["status"] == "AGENDA_ITEM_STATUS_ACCEPTED"]


@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("pdfinfo") is None, reason="needs chromium and poppler-utils")
def test_packet_in_each_edition_and_the_same_offline(deployment, tmp_path):  # noqa: F811
    drc = deployment.office("suqian.drc")  # an overseer: its mirror holds every tenant
    drc.ok("sync")
    pdf = tmp_path / "packet.pdf"
    made = drc.ok("council", "packet", "--meeting", MEETING_2026, "--tenant", "city", "--format", "pdf", "--lang", "zh", "--out", str(pdf))
    assert "一、会议议程 · 二、上次会议决定事项落实情况 · 三、年度目标完成情况" in made.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 6 <= pages <= 12, info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    first, second = text.split("\f")[:2]
    assert "2026年苏宿两市联合协调理事会会议" in first and not re.search(r"第\s*1\s*页", first), "the cover has no page number"
    assert re.search(r"2026年苏宿两市联合协调理事会会议\s+第\s*2\s*页\s*共\s*%d\s*页" % pages, second), "footer: title, page of pages"

    english = tmp_path / "packet-en.md"
    drc.ok("council", "packet", "--meeting", MEETING_2026, "--tenant", "city", "--format", "md", "--lang", "en", "--out", str(english))
    body = english.read_text(encoding="utf-8")
    assert "## 1. Agenda" in body and "## 3. Yearly targets" in body and "会议议程" not in body
    bad = drc.run("council", "packet", "--meeting", MEETING_2026, "--tenant", "city", "--lang", "fr", "--out", str(tmp_path / "x.html"))
    assert bad.returncode == 64 and "--lang" in bad.stderr

    # The packet from the mirror is the server's, word for word, but for the line that says
    # as of when the server computed its figures.
    online, offline = tmp_path / "online.md", tmp_path / "offline.md"
    drc.ok("council", "packet", "--meeting", MEETING_2026, "--tenant", "city", "--format", "md", "--out", str(online))
    deployment.stop()
    drc.ok("council", "packet", "--meeting", MEETING_2026, "--tenant", "city", "--format", "md", "--out", str(offline), "--offline")
    texts = [path.read_text(encoding="utf-8") for path in (online, offline)]
    note = next(line for line in texts[1].splitlines() if "（离线摘要）" in line)
    assert texts[1].replace(note + "\n\n", "", 1) == texts[0]


def test_accepting_twice_is_refused_naming_the_state_and_the_agenda_stays_dense(deployment, tmp_path):  # noqa: F811
    secretariat = deployment.office("suzhou.drc")
    secretariat.ok("sync")
    again = secretariat.run("council", "accept", ITEM_FINANCE, "--tenant", "city", "--wait")
    assert again.returncode == 64, again.stdout + again.stderr
    assert "item_id: the item is already accepted (number 2 on the agenda); nothing changed" in again.stderr
    assert [n for _, n in accepted_numbers(secretariat)] == [1, 2, 3]
    deferred = secretariat.run("council", "defer", ITEM_PROJECTS, "--tenant", "city", "--wait")
    assert deferred.returncode == 0 and "applied" in deferred.stdout, deferred.stdout + deferred.stderr
    assert [n for _, n in accepted_numbers(secretariat)] == [1, 2]
    accepted = secretariat.run("council", "accept", ITEM_TRAINING, "--tenant", "city", "--wait")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert accepted_numbers(secretariat)[-1] == (ITEM_TRAINING, 3)


def test_a_new_meeting_takes_the_deferred_items_in_the_same_push(deployment, tmp_path):  # noqa: F811
    secretariat = deployment.office("suzhou.drc")
    secretariat.ok("sync")
    secretariat.ok("council", "defer", ITEM_TRAINING, "--tenant", "city", "--wait")
    deployment.stop()
    created = secretariat.run(
        "council", "create-meeting", "--title", "2027年苏宿两市联合协调理事会会议", "--held-on", "2027-06-16", "--place", "宿迁市政府会议中心",
        "--starts-at", "09:30", "--chair", "宿迁市人民政府分管副市长", "--unit", "宿迁市发展改革委", "--unit", "苏州市发展改革委", "--tenant", "city",
    )
    assert created.returncode == 0 and "queued" in created.stderr, created.stderr
    meeting = re.search(r"meeting ([0-9a-f-]{36})", created.stderr).group(1)
    # Offline, the mirror already shows the item on the new meeting's agenda.
    agenda = lines(secretariat.ok("council", "agenda", "--meeting", meeting, "--tenant", "city", "--json"))[0]
    assert [i["id"] for i in agenda["items"]] == [ITEM_TRAINING]
    deployment.start()
    synced = secretariat.ok("sync")
    assert "pushed 2" in synced.stdout, synced.stdout
    agenda = lines(secretariat.ok("council", "agenda", "--meeting", meeting, "--tenant", "city", "--json"))[0]
    moved = agenda["items"][0]["item"]
    assert moved["status"] == "AGENDA_ITEM_STATUS_PROPOSED" and moved["deferred_from_meeting_id"] == MEETING_2026
    assert agenda["meeting"]["meeting"]["chair"] == "宿迁市人民政府分管副市长"


def test_a_unit_slip_is_applied_with_a_warning_that_names_the_field(deployment, tmp_path):  # noqa: F811
    office = deployment.office("siyang.gov")
    office.ok("sync")
    path = tmp_path / "park.yaml"
    path.write_text("name: 泗阳小园区\nhost_county: 泗阳县\nsuzhou_partner: 吴江区\nplanned_area_centimu: 19500\n", encoding="utf-8")
    result = office.ok("submit", "park", "--tenant", TENANT, "--file", str(path), "--wait")
    assert "applied v1; warning: planned_area_centimu: 19500 is outside the plausible range 50000…15000000" in result.stdout, result.stdout
    # Queued and delivered by sync: the warning shows there.
    path.write_text("name: 泗阳另一小园区\nhost_county: 泗阳县\nsuzhou_partner: 吴江区\nplanned_area_centimu: 19000\n", encoding="utf-8")
    office.ok("submit", "park", "--tenant", TENANT, "--file", str(path))
    synced = office.ok("sync")
    assert "warning: wujiang-siyang park" in synced.stderr and "planned_area_centimu: 19000 is outside" in synced.stderr, synced.stderr
    # Outside Suqian: refused, naming the field and the allowed values.
    path.write_text("name: 外地园区\nhost_county: 江阴市\nsuzhou_partner: 吴江区\n", encoding="utf-8")
    refused = office.run("submit", "park", "--tenant", TENANT, "--file", str(path), "--wait")
    assert refused.returncode != 0 and "host_county: '江阴市' is not one of Suqian's counties" in refused.stdout + refused.stderr


def test_ranges_and_the_date_horizon_are_set_on_the_server_command_line(deployment, tmp_path):  # noqa: F811
    import datetime
    deployment.stop()
    deployment.start("--plausible-range", "park.planned_area_centimu=1..100", "--future-horizon-days", "0")
    office = deployment.office("siyang.gov")
    office.ok("sync")
    path = tmp_path / "park.yaml"
    path.write_text("name: 泗阳中园区\nhost_county: 泗阳县\nsuzhou_partner: 吴江区\nplanned_area_centimu: 300000\n", encoding="utf-8")
    result = office.ok("submit", "park", "--tenant", TENANT, "--file", str(path), "--wait")
    assert "warning: planned_area_centimu: 300000 is outside the plausible range 1…100" in result.stdout, result.stdout
    later = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    path.write_text(f"name: 泗阳新园区\nhost_county: 泗阳县\nsuzhou_partner: 吴江区\nestablished_on: '{later}'\n", encoding="utf-8")
    refused = office.run("submit", "park", "--tenant", TENANT, "--file", str(path), "--wait")
    assert refused.returncode != 0 and f"established_on: {later} is more than 0 days ahead" in refused.stdout + refused.stderr, refused.stdout
