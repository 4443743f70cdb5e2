"""The `gongjian` CLI against the real server binary: the README's tour, with output and exit codes."""
import json
import os
import subprocess
import uuid

from conftest import BIN


def cli(server, office, *args, stdin=None):
    address, data = server
    # Each server's data directory gets its own config and mirrors, away from the user's.
    env = {**os.environ, "XDG_CONFIG_HOME": str(data / "xdg-config"), "XDG_DATA_HOME": str(data / "xdg-data")}
    return subprocess.run(
        [str(BIN / "gongjian"), *args, "--server", address, "--credentials", str(data / "pki" / "offices" / office)],
        capture_output=True, text=True, input=stdin, timeout=60, env=env,
    )


def park_file(tmp_path, record_id, name):
    path = tmp_path / f"{record_id}.yaml"
    path.write_text(
        f"- kind: park\n  id: {record_id}\n  base_version: 0\n  payload:\n"
        f"    name: {json.dumps(name, ensure_ascii=False)}\n    host_county: 泗阳县\n    suzhou_partner: 吴江区\n"
        f"    planned_area_centimu: 300000\n    built_area_centimu: 100000\n",
        encoding="utf-8",
    )
    return path


def test_whoami_json(server):
    result = cli(server, "siyang.gov", "whoami", "--json")
    assert result.returncode == 0, result.stderr
    me = json.loads(result.stdout)
    assert me["office"]["id"] == "siyang.gov"


def test_push_replay_and_pull_json(server, tmp_path):
    record_id = str(uuid.uuid4())
    name = "吴江（泗阳）\"共建\"园区 \\ 二期"  # quotes and a backslash must survive JSON output
    path = park_file(tmp_path, record_id, name)
    first = cli(server, "siyang.gov", "push", "--tenant", "wujiang-siyang", "--file", str(path), "--wait")
    assert first.returncode == 0, first.stderr
    assert "applied v1" in first.stdout
    # The same file again has the same content-derived mutation id: a replay, still v1.
    again = cli(server, "siyang.gov", "push", "--tenant", "wujiang-siyang", "--file", str(path), "--wait")
    assert again.returncode == 0 and "applied v1" in again.stdout, again.stdout + again.stderr

    pulled = cli(server, "wujiang.commerce", "pull", "--tenant", "wujiang-siyang", "--json")
    assert pulled.returncode == 0, pulled.stderr
    lines = [json.loads(line) for line in pulled.stdout.splitlines()]
    mine = [line for line in lines if line["id"] == record_id]
    assert len(mine) == 1
    record = mine[0]
    assert record["kind"] == "park" and record["tenant"] == "wujiang-siyang" and record["version"] == 1
    assert record["deleted"] is False and record["office"] == "siyang.gov"
    assert record["payload"]["name"] == name and record["payload"]["built_area_centimu"] in ("100000", 100000)
    assert record["updated_at"].endswith("Z")
    sequences = [line["sequence"] for line in lines]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)


def test_bad_field_exit_65_names_the_field(server, tmp_path):
    path = park_file(tmp_path, str(uuid.uuid4()), "   ")
    result = cli(server, "siyang.gov", "push", "--tenant", "wujiang-siyang", "--file", str(path), "--wait")
    assert result.returncode == 65
    assert "payload.name" in result.stdout + result.stderr


def test_outsider_exit_77_names_tenant_and_role(server):
    result = cli(server, "wujiang.commerce", "pull", "--tenant", "sip-suqian")
    assert result.returncode == 77
    assert "sip-suqian" in result.stderr


def test_unreachable_exit_69(server):
    _, data = server
    result = subprocess.run(
        [str(BIN / "gongjian"), "whoami", "--server", "127.0.0.1:1",
         "--credentials", str(data / "pki" / "offices" / "siyang.gov")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 69, result.stderr


def credentials_folder(data, tmp, cert_and_key):
    """A credential folder with the deployment's CA and the given certificate and key."""
    import shutil
    folder = tmp / cert_and_key[0].stem
    folder.mkdir()
    shutil.copy(data / "pki" / "ca.pem", folder / "ca.pem")
    shutil.copy(cert_and_key[0], folder / "cert.pem")
    shutil.copy(cert_and_key[1], folder / "key.pem")
    return folder


def whoami_with(server, folder):
    address, data = server
    env = {**os.environ, "XDG_CONFIG_HOME": str(data / "xdg-config"), "XDG_DATA_HOME": str(data / "xdg-data")}
    return subprocess.run([str(BIN / "gongjian"), "whoami", "--server", address, "--credentials", str(folder)],
                          capture_output=True, text=True, timeout=60, env=env)


def test_refused_certificates_are_named_with_exit_77(server, tmp_path):
    import datetime
    import time as clock
    from test_hardening import certificate, foreign_ca

    address, data = server
    now = datetime.datetime.now(datetime.timezone.utc)
    uri = ["gongjian://office/wujiang.commerce"]
    expired = certificate(data, tmp_path, "expired", uri, now - datetime.timedelta(days=10), now - datetime.timedelta(days=1))
    result = whoami_with(server, credentials_folder(data, tmp_path, expired))
    assert result.returncode == 77 and "certificate expired" in result.stderr, result.stderr

    foreign = certificate(data, tmp_path, "foreign", uri, now - datetime.timedelta(days=1), now + datetime.timedelta(days=1), ca=foreign_ca())
    result = whoami_with(server, credentials_folder(data, tmp_path, foreign))
    assert result.returncode == 77 and "not issued by this deployment" in result.stderr, result.stderr

    issued = tmp_path / "issued"
    subprocess.run([str(BIN / "gongjian-server"), "certs", "issue", "--office", "wujiang.commerce", "--out", str(issued),
                    "--data-dir", str(data)], check=True, capture_output=True, timeout=60)
    assert whoami_with(server, issued).returncode == 0
    serial = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", str(issued / "cert.pem")],
                            check=True, capture_output=True, text=True).stdout.strip().split("=")[1]
    subprocess.run([str(BIN / "gongjian-server"), "certs", "revoke", serial, "--data-dir", str(data)],
                   check=True, capture_output=True, timeout=60)
    deadline = clock.time() + 30
    while clock.time() < deadline:
        result = whoami_with(server, issued)
        if result.returncode != 0:
            break
        clock.sleep(0.5)
    assert result.returncode == 77 and "revoked" in result.stderr, result.stderr
    assert "HTTP/2 connection preface" not in result.stderr and "unavailable" not in result.stderr


def test_port_in_use_and_bad_address_are_sentences(server):
    address, data = server
    creds = str(data / "pki" / "offices" / "siyang.gov")
    env = {**os.environ, "XDG_CONFIG_HOME": str(data / "xdg-config"), "XDG_DATA_HOME": str(data / "xdg-data")}
    bad = subprocess.run([str(BIN / "gongjian"), "whoami", "--server", "no-port", "--credentials", creds],
                         capture_output=True, text=True, timeout=60, env=env)
    assert bad.returncode == 64 and "expected HOST:PORT" in bad.stderr
    refused = subprocess.run([str(BIN / "gongjian"), "whoami", "--server", "127.0.0.1:1", "--credentials", creds],
                             capture_output=True, text=True, timeout=60, env=env)
    assert refused.returncode == 69 and "nothing accepts connections" in refused.stderr, refused.stderr


def test_server_on_a_taken_port_says_so(server):
    address, data = server
    result = subprocess.run([str(BIN / "gongjian-server"), "serve", "--data-dir", str(data), "--listen", address],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 69, result.stderr
    assert f"cannot listen on {address}: the address is in use" in result.stderr
    assert "bind(descriptor" not in result.stderr


def schema_kinds():
    """The record kinds as the schema has them: the fields of RecordPayload's oneof."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "generated"))
    from gongjian.v1 import partnership_pb2

    return [field.name for field in partnership_pb2.RecordPayload.DESCRIPTOR.oneofs_by_name["kind"].fields]


def test_every_kind_of_the_schema_is_taken_by_every_command_that_takes_a_kind(server, tmp_path):
    kinds = schema_kinds()
    assert "evaluation_criterion" in kinds and len(kinds) >= 13
    office = "suqian.drc"  # an admin of the city tenant, which holds every kind an admin edits
    assert cli(server, office, "sync", "--tenant", "city").returncode == 0
    stray = tmp_path / "stray.json"
    stray.write_text('{"no_such_field": 1}\n', encoding="utf-8")
    for kind in kinds:
        listed = cli(server, office, "list", kind, "--tenant", "city")
        assert listed.returncode == 0, (kind, listed.stderr)
        offline = cli(server, office, "list", kind, "--tenant", "city", "--offline")
        assert offline.returncode == 0, (kind, offline.stderr)
        missing = cli(server, office, "get", kind, str(uuid.uuid4()), "--tenant", "city")
        # Not found is the server's answer about the record, never a refusal of the kind.
        assert missing.returncode not in (0, 64), (kind, missing.returncode, missing.stderr)
        assert "not found" in (missing.stdout + missing.stderr).lower(), (kind, missing.stderr)
        out = tmp_path / f"{kind}.csv"
        exported = cli(server, office, "export", kind, "--tenant", "city", "--out", str(out))
        assert exported.returncode == 0 and out.exists(), (kind, exported.stderr)
        imported = cli(server, office, "import", kind, "--tenant", "city", "--file", str(out))
        assert imported.returncode == 0, (kind, imported.stderr)
        # The kind is taken: the file is read against the kind's own fields.
        submitted = cli(server, office, "submit", kind, "--tenant", "city", "--file", str(stray))
        assert submitted.returncode == 64, (kind, submitted.stderr)
        assert f"field no_such_field: not a field of {kind}" in submitted.stderr, (kind, submitted.stderr)
    refused = cli(server, office, "list", "no_such_kind", "--tenant", "city")
    assert refused.returncode == 64 and "evaluation_criterion" in refused.stderr, refused.stderr
