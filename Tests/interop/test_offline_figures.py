"""Offline reports say what the server says (the secretariat's offline packet): every office of
the sample directory syncs, then builds its targets, evaluation and every packet it may build,
online and --offline, in both editions; they are equal word for word but for the line that says
as of when the server computed the figures. What the mirror cannot vouch for is said or refused."""
import json
import sqlite3

from test_offline import deployment, lines  # noqa: F401 (the fixture)

MEETING_2026 = "c0c0000c-0000-4000-8000-000000002026"
# The line an offline report prints above the server's figures, in each edition.
AS_OF = ("(offline summary)", "（离线摘要）")
YEARS = ("2025", "2026")


def without_as_of(text):
    """The text without the as-of line (and the blank line after it, in Markdown)."""
    kept, dropped = [], False
    for line in text.splitlines():
        if any(marker in line for marker in AS_OF):
            dropped = line.startswith("> ")  # a Markdown note: its blank line goes too
            continue
        if dropped and not line:
            dropped = False
            continue
        kept.append(line)
        dropped = False
    return "\n".join(kept)


def without_as_of_json(text):
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "as_of"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return [strip(json.loads(line)) for line in text.splitlines() if line.startswith("{")]


def test_every_office_reads_the_same_figures_and_packets_online_and_offline(deployment, tmp_path):  # noqa: F811
    offices = sorted(path.name for path in (deployment.data / "pki" / "offices").iterdir())
    assert len(offices) >= 10, offices
    packets, refused = 0, 0
    for name in offices:
        office = deployment.office(name)
        office.ok("sync")
        for year in YEARS:
            for command in (("targets", "--year", year, "--details"), ("evaluation", "--year", year)):
                online, offline = office.ok(*command), office.ok(*command, "--offline")
                assert any(marker in offline.stdout for marker in AS_OF), (name, command, offline.stdout)
                assert without_as_of(online.stdout) == without_as_of(offline.stdout), (name, command)
                online_json, offline_json = office.ok(*command, "--json"), office.ok(*command, "--json", "--offline")
                assert without_as_of_json(online_json.stdout) == without_as_of_json(offline_json.stdout), (name, command)
                assert all("as_of" in line for line in lines(offline_json)), (name, command)
        held = {status["tenant_id"] for status in lines(office.ok("status", "--json"))}
        for tenant in sorted(held):
            for meeting in lines(office.ok("council", "meetings", "--tenant", tenant, "--json", "--offline")):
                for lang in ("zh", "en"):
                    for fmt in ("md", "html"):
                        online, offline = tmp_path / f"online.{fmt}", tmp_path / f"offline.{fmt}"
                        args = ("council", "packet", "--meeting", meeting["id"], "--tenant", tenant, "--lang", lang, "--format", fmt)
                        office.ok(*args, "--out", str(online))
                        office.ok(*args, "--out", str(offline), "--offline")
                        texts = [path.read_text(encoding="utf-8") for path in (online, offline)]
                        assert not any(marker in texts[0] for marker in AS_OF)
                        assert any(marker in texts[1] for marker in AS_OF), (name, tenant, lang, fmt)
                        assert without_as_of(texts[0]) == without_as_of(texts[1]), (name, tenant, meeting["id"], lang, fmt)
                        packets += 1
        if "city" not in held:
            # The city council's packet is not this office's to build, online or offline.
            args = ("council", "packet", "--meeting", MEETING_2026, "--tenant", "city", "--out", str(tmp_path / "refused.md"), "--format", "md")
            online, offline = office.run(*args), office.run(*args, "--offline")
            assert online.returncode == 77 and "city" in online.stderr, (name, online.stderr)
            assert offline.returncode != 0 and "gongjian sync" in offline.stderr, (name, offline.stderr)
            refused += 1
    assert packets >= 20 and refused >= 1, (packets, refused)


def test_the_secretariat_offline_says_what_its_figures_do_not_count_and_refuses_what_they_lack(deployment, tmp_path):  # noqa: F811
    # suzhou.drc: the city council's secretariat, a member of the city tenant only.
    drc = deployment.office("suzhou.drc")
    drc.ok("sync")
    online = drc.ok("targets", "--year", "2026").stdout
    offline = drc.ok("targets", "--year", "2026", "--offline").stdout
    assert "city-wide" in offline and without_as_of(online) == without_as_of(offline)
    assert "not counted" not in offline

    far = drc.run("targets", "--year", "2090", "--offline")
    assert far.returncode != 0 and "2090" in far.stderr and "gongjian sync" in far.stderr, far.stderr

    deployment.stop()
    # A meeting made offline: the server has not computed its figures, so its packet is refused.
    made = drc.run("council", "create-meeting", "--title", "2027年苏宿两市联合协调理事会会议", "--held-on", "2027-12-15",
                   "--place", "宿迁市政府会议中心", "--tenant", "city")
    assert made.returncode == 0 and "queued" in made.stderr, made.stdout + made.stderr
    meetings = lines(drc.ok("council", "meetings", "--tenant", "city", "--json", "--offline"))
    new = [m for m in meetings if m["meeting"]["title"] == "2027年苏宿两市联合协调理事会会议"][0]
    refused = drc.run("council", "packet", "--meeting", new["id"], "--tenant", "city", "--format", "md", "--out", str(tmp_path / "new.md"), "--offline")
    assert refused.returncode != 0 and new["id"] in refused.stderr and "gongjian sync" in refused.stderr, refused.stderr

    # The queued write is in the city tenant: every offline figure says it is not counted.
    targets = drc.ok("targets", "--year", "2026", "--offline").stdout
    assert "1 changes the mirror holds since then (city) are not counted" in targets, targets
    packet = tmp_path / "packet.md"
    drc.ok("council", "packet", "--meeting", MEETING_2026, "--tenant", "city", "--format", "md", "--out", str(packet), "--offline")
    assert "本机此后同步或录入的1项改动（city）未计入" in packet.read_text(encoding="utf-8")

    # Once delivered and synced, the figures are current again and say nothing more.
    deployment.start()
    drc.ok("sync")
    assert "not counted" not in drc.ok("targets", "--year", "2026", "--offline").stdout
    drc.ok("council", "packet", "--meeting", new["id"], "--tenant", "city", "--format", "md", "--out", str(tmp_path / "new.md"), "--offline")

    # A mirror without the server's figures refuses rather than compute from less than its scope.
    with sqlite3.connect(drc.mirror_path()) as db:
        db.execute("DELETE FROM summary")
    bare = drc.run("targets", "--year", "2026", "--offline")
    assert bare.returncode != 0 and "gongjian sync" in bare.stderr and "figures" in bare.stderr, bare.stderr
