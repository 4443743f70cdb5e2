"""What a new user and a careful operator trip on: files at rest, exit codes, each finding said
once, progress only on a terminal, duplicate parks, council moves from a cold mirror, and one way
to print a status."""
import os
import re
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import BIN, start_server, stop_server
from test_offline import TENANT, deployment, lines  # noqa: F401 (the fixture)

MEETING_2026 = "c0c0000c-0000-4000-8000-000000002026"
SAMPLE_PARK = "5a1e0000-0000-4000-8000-000000000001"  # the sample's 苏宿工业园区 in sip-suqian
# A shell that runs the rest of its arguments with no umask at all: every mode the program asks for.
PERMISSIVE = ("sh", "-c", 'umask 000; exec "$0" "$@"')


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def database_files(path):
    return [Path(str(path) + suffix) for suffix in ("", "-wal", "-shm") if Path(str(path) + suffix).exists()]


def project_yaml(path, name, in_production_on):
    path.write_text(
        f"name: {name}\nsource_enterprise: 测试企业\nsource_district: 苏州工业园区\nindustry: 高端装备制造\n"
        "planned_investment_yuan: 180000000\nhost_park_id: 5a1e0000-0000-4000-8000-000000000001\n"
        "status: PROJECT_STATUS_IN_PRODUCTION\nlead_on: '2024-11-05'\nsigned_on: '2025-01-05'\nstarted_on: '2025-03-05'\n"
        f"in_production_on: '{in_production_on}'\n",
        encoding="utf-8",
    )
    return path


def test_the_server_keeps_its_data_directory_owner_only_whatever_the_umask(tmp_path):
    data = Path(tempfile.mkdtemp(prefix="gongjian-modes-")) / "data"
    proc, _ = start_server(data, command=PERMISSIVE)
    try:
        assert mode(data) == 0o700
        files = database_files(data / "gongjian.sqlite")
        assert len(files) == 3, files
        assert all(mode(f) == 0o600 for f in files), [(f.name, oct(mode(f))) for f in files]
    finally:
        stop_server(proc)
    # An earlier version's modes are tightened on the next start, and said once.
    os.chmod(data, 0o755)
    for f in database_files(data / "gongjian.sqlite"):
        os.chmod(f, 0o644)
    for attempt in range(2):
        proc, _ = start_server(data, "serve", command=PERMISSIVE)
        stop_server(proc)
        log = Path(proc.log_path).read_text()
        said = "tightened to owner-only access" in log
        assert said == (attempt == 0), log[-2000:]
        assert mode(data) == 0o700 and all(mode(f) == 0o600 for f in database_files(data / "gongjian.sqlite"))


def test_the_office_mirror_is_owner_only_after_a_first_sync_whatever_the_umask(deployment):  # noqa: F811
    office = deployment.office("siyang.gov")
    synced = subprocess.run([*PERMISSIVE, str(BIN / "gongjian"), "sync"], capture_output=True, text=True, env=office.env, timeout=120)
    assert synced.returncode == 0, synced.stderr
    mirror = office.mirror_path()
    assert mode(mirror.parent) == 0o700
    assert all(mode(f) == 0o600 for f in database_files(mirror)), [(f.name, oct(mode(f))) for f in database_files(mirror)]
    # A mirror an earlier version left readable is tightened on open, said once.
    os.chmod(mirror.parent, 0o755)
    os.chmod(mirror, 0o644)
    first, second = office.ok("status"), office.ok("status")
    assert "readable by you only" in first.stderr and "readable by you only" not in second.stderr
    assert mode(mirror.parent) == 0o700 and mode(mirror) == 0o600


def test_every_refusal_exits_with_one_code_wherever_it_comes_back(deployment, tmp_path):  # noqa: F811
    siyang = deployment.office("siyang.gov")  # a member of wujiang-siyang only
    commerce = deployment.office("suqian.commerce")
    # 64: usage.
    assert siyang.run("submit", "park", "--tenant", TENANT).returncode == 64
    assert siyang.run("council", "set-status", "--meeting", MEETING_2026, "--status", "adjourned").returncode == 64
    # 77: not permitted, read directly, through submit --wait and through sync alike.
    assert siyang.run("pull", "--tenant", "sip-suqian").returncode == 77
    foreign = project_yaml(tmp_path / "foreign.yaml", "越权项目", "2025-06-01")
    waited = siyang.run("submit", "transferred_project", "--tenant", "sip-suqian", "--file", str(foreign), "--wait")
    assert waited.returncode == 77 and "not permitted" in waited.stdout, waited.stdout + waited.stderr
    queued = siyang.run("submit", "transferred_project", "--tenant", "sip-suqian", "--file", str(project_yaml(tmp_path / "f2.yaml", "越权项目二", "2025-06-01")))
    assert queued.returncode == 0
    assert siyang.run("sync", "--tenant", "sip-suqian").returncode == 77
    # 65: invalid data, with --wait and through sync.
    future = project_yaml(tmp_path / "future.yaml", "未来项目", "2099-01-01")
    invalid = commerce.run("submit", "transferred_project", "--tenant", "sip-suqian", "--file", str(future), "--wait")
    assert invalid.returncode == 65, invalid.stdout + invalid.stderr
    # Each finding said once (it was said twice: in the message and again from the fields).
    finding = "in_production_on: 2099-01-01 is more than 366 days ahead"
    assert invalid.stdout.count(finding) == 1, invalid.stdout
    listed = commerce.ok("conflicts")
    assert listed.stdout.count(finding) == 1, listed.stdout
    commerce.ok("submit", "transferred_project", "--tenant", "sip-suqian", "--file", str(project_yaml(tmp_path / "f3.yaml", "未来项目二", "2099-02-01")))
    assert commerce.run("sync", "--tenant", "sip-suqian").returncode == 65
    # 67: a conflict (a park named as another of the tenant).
    duplicate = tmp_path / "dup.yaml"
    duplicate.write_text("name: 苏宿工业园区\nhost_county: 宿城区\nsuzhou_partner: 苏州工业园区\n", encoding="utf-8")
    assert commerce.run("submit", "park", "--tenant", "sip-suqian", "--file", str(duplicate), "--wait").returncode == 67
    # 69: unreachable.
    unreachable = siyang.run("whoami", "--server", "127.0.0.1:1")
    assert unreachable.returncode == 69, unreachable.stderr
    # Every command says which codes it returns.
    for command in (("sync",), ("submit",), ("pull",), ("targets",), ("council", "accept"), ("status",), ("profile", "add")):
        help_text = siyang.run(*command, "--help").stdout
        assert re.search(r"Exit codes: 0 done, 64 ", help_text.replace("\n", " ")), (command, help_text)


def test_a_park_named_as_another_of_the_tenant_is_refused_naming_it(deployment, tmp_path):  # noqa: F811
    commerce = deployment.office("suqian.commerce")
    duplicate = tmp_path / "dup.yaml"
    # The same name with other spacing is the same park.
    duplicate.write_text("name: ' 苏宿 工业园区 '\nhost_county: 宿城区\nsuzhou_partner: 苏州工业园区\n", encoding="utf-8")
    refused = commerce.run("submit", "park", "--tenant", "sip-suqian", "--file", str(duplicate), "--wait")
    assert refused.returncode == 67 and SAMPLE_PARK in refused.stdout, refused.stdout + refused.stderr
    # Another tenant's park may share the name; a new name is taken.
    elsewhere = commerce.run("submit", "park", "--tenant", TENANT, "--file", str(duplicate), "--wait")
    assert elsewhere.returncode == 0 and "applied v1" in elsewhere.stdout, elsewhere.stdout + elsewhere.stderr
    # The README's tour pushes its own park to sip-suqian: it does not collide with the sample's.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    tour = re.search(r"cat > parks.yaml <<'YAML'\n(.*?)\n\s*YAML", readme, re.S).group(1)
    parks = tmp_path / "parks.yaml"
    parks.write_text("\n".join(line[4:] for line in tour.splitlines()) + "\n", encoding="utf-8")
    pushed = commerce.run("push", "--tenant", "sip-suqian", "--file", str(parks), "--wait")
    assert pushed.returncode == 0 and "applied v1" in pushed.stdout, pushed.stdout + pushed.stderr


def test_sync_draws_progress_only_on_a_terminal(deployment, tmp_path):  # noqa: F811
    office = deployment.office("suqian.drc")  # an overseer: every tenant, the most to pull
    with open(tmp_path / "err", "w") as err:
        result = subprocess.run([str(BIN / "gongjian"), "sync"], stdout=subprocess.PIPE, stderr=err, text=True, env=office.env, timeout=120)
    assert result.returncode == 0
    said = (tmp_path / "err").read_text()
    assert "pulling" not in said and "up to date at sequence" not in said and "\r" not in said and "\x1b[" not in said, repr(said)
    assert "checksum verified" in result.stdout
    as_json = office.ok("sync", "--json")
    assert as_json.stderr == "", repr(as_json.stderr)
    # On a terminal the line is drawn and cleared before the summary.
    import pty
    primary, secondary = pty.openpty()
    fresh = deployment.office("suqian.commerce")
    proc = subprocess.Popen([str(BIN / "gongjian"), "sync"], stdout=subprocess.PIPE, stderr=secondary, text=True, env=fresh.env)
    out, _ = proc.communicate(timeout=120)
    os.close(secondary)
    drawn = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(primary)
    assert proc.returncode == 0
    text = drawn.decode("utf-8", "replace")
    assert "\x1b[K" in text and text.endswith("\r\x1b[K"), repr(text[-200:])
    assert "checksum verified" in out


def test_council_moves_from_a_cold_mirror_and_statuses_print_as_the_packet_writes_them(deployment):  # noqa: F811
    secretariat = deployment.office("suzhou.drc")  # its mirror is empty: never synced
    agenda = lines(secretariat.ok("council", "agenda", "--meeting", MEETING_2026, "--json"))[0]
    proposed = [i for i in agenda["items"] if i["item"]["status"] == "AGENDA_ITEM_STATUS_PROPOSED"][0]
    accepted = secretariat.run("council", "accept", proposed["id"], "--note", "同意列入", "--wait")
    assert accepted.returncode == 0 and "applied" in accepted.stdout, accepted.stdout + accepted.stderr

    meetings = secretariat.ok("council", "meetings").stdout
    assert "minutes approved" in meetings and "draft" in meetings and "minutesApproved" not in meetings
    chinese = secretariat.ok("council", "meetings", "--lang", "zh").stdout
    assert "纪要已批准" in chinese and "草案" in chinese
    listed = secretariat.ok("council", "agenda", "--meeting", MEETING_2026).stdout
    assert "accepted" in listed and "ACCEPTED" not in listed and "Suqian side" in listed
    assert "已列入议程" in secretariat.ok("council", "agenda", "--meeting", MEETING_2026, "--lang", "zh").stdout
    actions = secretariat.ok("council", "actions").stdout
    assert "overdue" in actions and "done" in actions and "OPEN" not in actions
    # The same spellings on input, in either language.
    moved = secretariat.run("council", "set-status", "--meeting", MEETING_2026, "--status", "议程已发布", "--wait")
    assert moved.returncode == 0 and "applied" in moved.stdout, moved.stdout + moved.stderr
    assert "agenda published" in secretariat.ok("council", "meetings").stdout
    held = secretariat.run("council", "set-status", "--meeting", MEETING_2026, "--status", "held", "--wait")
    assert held.returncode == 0, held.stdout + held.stderr
    action = [a for a in lines(secretariat.ok("council", "actions", "--json")) if a["action"]["status"] == "ACTION_STATUS_OPEN"][0]
    done = secretariat.run("council", "update-action", action["id"], "--status", "已完成", "--wait")
    assert done.returncode == 0 and "applied" in done.stdout, done.stdout + done.stderr
