"""A real deployment, as README's "Set up a real deployment" walks it: no --dev, the first admin
office from `init`, the directory built with the offline commands and through the Admin service,
the CA key kept away from the serving machine, and two offices of different sides syncing."""
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from conftest import BIN, start_server, stop_server


def server_cli(*args, check=True):
    result = subprocess.run([str(BIN / "gongjian-server"), *args], capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def client(home, *args, check=True):
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    env.pop("GONGJIAN_SERVER", None)
    env.pop("GONGJIAN_CREDENTIALS", None)
    result = subprocess.run([str(BIN / "gongjian"), *args], capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def test_a_deployment_from_an_empty_machine_to_two_offices_syncing(tmp_path):
    data = Path(tempfile.mkdtemp(prefix="gongjian-deploy-"))
    d = ["--data-dir", str(data)]
    refused = server_cli("init", *d, check=False)
    assert refused.returncode == 64 and "--admin-office ID --name NAME" in refused.stderr
    made = server_cli("init", *d, "--admin-office", "suqian.drc", "--name", "宿迁市发展改革委", "--host", "127.0.0.1")
    assert "admin office suqian.drc of city" in made.stdout

    server_cli("tenants", "add", "changshu-sihong", "--name", "常熟（泗洪）共建园区", *d)
    server_cli("offices", "add", "sihong.gov", "--name", "泗洪县人民政府", "--side", "suqian", *d)
    server_cli("offices", "add", "changshu.commerce", "--name", "常熟市商务局", "--side", "suzhou", *d)
    server_cli("members", "set", "sihong.gov", "--tenant", "changshu-sihong", "--role", "admin", *d)
    server_cli("members", "set", "changshu.commerce", "--tenant", "changshu-sihong", "--role", "contributor", *d)
    # Bad input is refused naming the field, and changes nothing.
    bad = server_cli("offices", "add", "Changshu_Gov", "--name", "x", "--side", "suzhou", *d, check=False)
    assert bad.returncode == 65 and "office.id: 2-63 of a-z 0-9 . -" in bad.stderr
    unknown = server_cli("members", "set", "nobody", "--tenant", "changshu-sihong", "--role", "viewer", *d, check=False)
    assert unknown.returncode == 65 and "office nobody does not exist" in unknown.stderr
    members = server_cli("members", "list", "--tenant", "changshu-sihong", *d).stdout
    assert members.splitlines() == ["changshu.commerce\tcontributor", "sihong.gov\tadmin"]

    # Credentials to hand over: a folder, and one file.
    hand = tmp_path / "hand"
    server_cli("certs", "issue", "--office", "sihong.gov", "--out", str(hand / "sihong.gov"), *d)
    issued = server_cli("certs", "issue", "--office", "changshu.commerce", "--out", str(hand / "changshu.commerce"),
                        "--bundle", str(hand / "changshu.commerce.pem"), *d)
    assert "wrote" in issued.stdout and oct((hand / "changshu.commerce.pem").stat().st_mode & 0o777) == "0o600"

    # The CA's key leaves the serving machine: the server needs only the CA certificate.
    away = tmp_path / "ca-away"
    away.mkdir()
    shutil.move(str(data / "pki" / "ca-key.pem"), str(away / "ca-key.pem"))
    proc, address = start_server(data, "serve")
    try:
        # Online through the Admin service, with the first admin's credentials: same checks.
        admin = ["--server", address, "--credentials", str(data / "pki" / "offices" / "suqian.drc")]
        server_cli("offices", "add", "siyang.gov", "--name", "泗阳县人民政府", "--side", "suqian", *admin)
        online_bad = server_cli("offices", "add", "Changshu_Gov", "--name", "x", "--side", "suzhou", *admin, check=False)
        assert online_bad.returncode == 65 and "office.id: 2-63 of a-z 0-9 . -" in online_bad.stderr
        not_admin = server_cli("offices", "add", "x.y", "--name", "x", "--side", "suzhou",
                               "--server", address, "--credentials", str(hand / "sihong.gov"), check=False)
        assert not_admin.returncode == 77
        assert "siyang.gov" in server_cli("offices", "list", *admin).stdout

        # Two offices of different sides: one writes, the other sees it.
        sihong, changshu = tmp_path / "sihong", tmp_path / "changshu"
        client(sihong, "profile", "add", "sihong", "--server", address, "--credentials", str(hand / "sihong.gov"))
        client(changshu, "profile", "add", "changshu", "--server", address, "--credentials", str(hand / "changshu.commerce.pem"))
        park = tmp_path / "park.yaml"
        park.write_text("name: 常熟（泗洪）共建园区\nhost_county: 泗洪县\nsuzhou_partner: 常熟市\nplanned_area_centimu: 520000\n", encoding="utf-8")
        client(sihong, "submit", "park", "--tenant", "changshu-sihong", "--file", str(park), "--wait")
        client(changshu, "sync")
        listed = client(changshu, "list", "park", "--tenant", "changshu-sihong", "--offline", "--json").stdout
        assert "常熟（泗洪）共建园区" in listed
        who = json.loads(client(changshu, "whoami", "--json").stdout.splitlines()[0])
        assert who["office"]["side"] == "SIDE_SUZHOU"

        # Disabling an office refuses its certificate at once; enabling lets it back.
        server_cli("offices", "disable", "changshu.commerce", *admin)
        disabled = client(changshu, "sync", check=False)
        assert disabled.returncode == 77 and "office changshu.commerce is disabled" in disabled.stderr
        server_cli("offices", "enable", "changshu.commerce", *admin)
        client(changshu, "sync")
    finally:
        stop_server(proc)

    # Every directory change is in the audit chain, with who made it; an edit is named.
    log = server_cli("audit", "directory", *d).stdout.splitlines()
    actions = [line.split("\t")[3] for line in log]
    assert actions.count("office.put") == 6 and "membership.set" in actions and actions.count("certificate.issue") == 3
    assert any("\tsuqian.drc\toffice.put\tsiyang.gov\t" in line for line in log)
    assert "directory: %d entries verified" % len(log) in server_cli("audit", "verify", *d).stdout
    with sqlite3.connect(data / "gongjian.sqlite") as db:
        db.execute("UPDATE directory_audit SET after = replace(after, '常熟市商务局', '某某局') WHERE n = 7")
    broken = server_cli("audit", "verify", *d, check=False)
    assert broken.returncode == 70 and "the directory's audit chain breaks at entry 7" in broken.stderr


def test_backup_while_serving_and_restore_into_a_new_data_directory(tmp_path):
    import threading
    data = Path(tempfile.mkdtemp(prefix="gongjian-backup-"))
    proc, address = start_server(data)  # the development data directory, with its sample records
    home = tmp_path / "office"
    client(home, "profile", "add", "siyang", "--server", address, "--credentials", str(data / "pki" / "offices" / "siyang.gov"))
    stop = threading.Event()

    def write_meanwhile():
        n = 0
        while not stop.is_set() and n < 40:
            park = tmp_path / f"p{n}.yaml"
            park.write_text(f"name: 备份期间写入{n}\nhost_county: 泗阳县\nsuzhou_partner: 吴江区\n", encoding="utf-8")
            client(home, "submit", "park", "--tenant", "wujiang-siyang", "--file", str(park), "--wait", check=False)
            n += 1

    writer = threading.Thread(target=write_meanwhile)
    writer.start()
    try:
        backup = tmp_path / "gongjian.backup.sqlite"
        made = server_cli("backup", "--out", str(backup), "--data-dir", str(data))
        again = server_cli("backup", "--out", str(backup), "--data-dir", str(data), check=False)
        assert again.returncode == 65 and "exists already" in again.stderr
    finally:
        stop.set()
        writer.join()
        stop_server(proc)
    summaries = [line for line in made.stdout.splitlines() if ": head " in line]
    assert {line.split(":")[0] for line in summaries} == {"city", "changshu-sihong", "sip-suqian", "wujiang-siyang"}

    restored = tmp_path / "restored"
    result = server_cli("restore", "--from", str(backup), "--data-dir", str(restored))
    assert [line for line in result.stdout.splitlines() if ": head " in line] == summaries
    assert "copy pki/" in result.stdout
    refused = server_cli("restore", "--from", str(backup), "--data-dir", str(restored), check=False)
    assert refused.returncode == 65 and "exists already" in refused.stderr
    shutil.copytree(data / "pki", restored / "pki")
    assert "directory:" in server_cli("audit", "verify", "--data-dir", str(restored)).stdout
    # The restored deployment serves what the backup held.
    proc, address = start_server(restored, "serve")
    try:
        listed = client(home, "list", "park", "--tenant", "wujiang-siyang", "--json", "--server", address).stdout
        assert "吴江（泗阳）共建园区" in listed
    finally:
        stop_server(proc)


def test_a_configuration_file_is_checked_whole_and_flags_override_it(tmp_path):
    defaults = server_cli("config", "defaults")
    assert "limits.max_mutations_per_push: most mutations in one push" in defaults.stderr
    config = json.loads(defaults.stdout)
    assert config["limits"]["max_mutations_per_push"] == 500 and config["sync"]["retention_days"] == 30
    assert "transport" not in config and config["data_dir"] == "./gongjian-data"
    good = tmp_path / "good.json"
    good.write_text(defaults.stdout, encoding="utf-8")
    assert server_cli("config", "check", str(good)).stdout.strip() == f"{good}: ok"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "listen": "nowhere", "limits": {"max_mutation_per_push": 10, "max_page_size": 0, "max_payload_bytes": "big"},
        "validation": {"plausible_ranges": ["park.x=1..2"]}, "transport": {"lean_path": "yes"},
    }), encoding="utf-8")
    checked = server_cli("config", "check", str(bad), check=False)
    assert checked.returncode == 65
    errors = checked.stderr.splitlines()
    assert f"{bad}: limits.max_mutation_per_push: not a setting; did you mean limits.max_mutations_per_push?" in errors
    assert f"{bad}: listen: expected HOST:PORT, e.g. 127.0.0.1:7443 (got 'nowhere')" in errors
    assert f"{bad}: limits.max_payload_bytes: a whole number expected" in errors
    assert f"{bad}: limits.max_page_size: 0 is out of range 1…100000" in errors
    assert any(line.startswith(f"{bad}: validation.plausible_ranges: no range for 'park.x'") for line in errors)
    assert f"{bad}: transport.lean_path: the GRPCCore path is gone since 0.9.0 and every call is served on the lean path: delete the key" in errors
    assert len(errors) == 6, errors
    # The packaged unit's condition: a file with errors fails the start (255), it does not skip it (1).
    assert server_cli("config", "check", "--initialised", str(bad), check=False).returncode == 255

    # The file sets the push limit and a range; a flag overrides the range.
    data = Path(tempfile.mkdtemp(prefix="gongjian-config-"))
    proc, address = start_server(data)
    stop_server(proc)
    config["limits"]["max_mutations_per_push"] = 2
    config["validation"]["plausible_ranges"] = ["park.planned_area_centimu=1..10"]
    config["listen"] = "127.0.0.1:1"  # the flag below wins
    configured = tmp_path / "server.json"
    configured.write_text(json.dumps(config), encoding="utf-8")
    proc, address = start_server(data, "serve", "--config", str(configured), "--plausible-range", "park.planned_area_centimu=1..100")
    try:
        home = tmp_path / "office"
        client(home, "profile", "add", "siyang", "--server", address, "--credentials", str(data / "pki" / "offices" / "siyang.gov"))
        parks = tmp_path / "parks.yaml"
        parks.write_text("".join(f"- name: 配置园区{n}\n  host_county: 泗阳县\n  suzhou_partner: 吴江区\n  planned_area_centimu: 300\n" for n in range(3)), encoding="utf-8")
        result = client(home, "submit", "park", "--tenant", "wujiang-siyang", "--file", str(parks), "--wait")
        # Three writes went in pushes of at most 2 (RESOURCE_EXHAUSTED halves the batch), each warned by the flag's range.
        assert result.stdout.count("applied v1; warning: planned_area_centimu: 300 is outside the plausible range 1…100") == 3, result.stdout
    finally:
        stop_server(proc)
