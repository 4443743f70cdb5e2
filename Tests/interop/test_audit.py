"""The audit trail either city can verify: `gongjian audit verify` recomputes a tenant's chain
from the entries the server serves and checks the server's signed checkpoints; an entry edited
in the database is named."""
import sqlite3
import tempfile
from pathlib import Path

from conftest import start_server, stop_server
from test_deployment import client


def test_an_office_verifies_the_chain_and_an_edited_entry_is_named(tmp_path):
    data = Path(tempfile.mkdtemp(prefix="gongjian-audit-"))
    proc, address = start_server(data)
    home = tmp_path / "office"
    try:
        client(home, "profile", "add", "siyang", "--server", address, "--credentials", str(data / "pki" / "offices" / "siyang.gov"))
        park = tmp_path / "park.yaml"
        park.write_text("name: 审计测试园区\nhost_county: 泗阳县\nsuzhou_partner: 吴江区\n", encoding="utf-8")
        client(home, "submit", "park", "--tenant", "wujiang-siyang", "--file", str(park), "--wait")
        verified = client(home, "audit", "verify", "--tenant", "wujiang-siyang")
        assert "entries, chain intact" in verified.stdout and "1 signed checkpoints verified" in verified.stdout, verified.stdout
        outsider = client(home, "audit", "verify", "--tenant", "sip-suqian", check=False)
        assert outsider.returncode == 77
    finally:
        stop_server(proc)
    # Someone with the database rewrites who made entry 3.
    with sqlite3.connect(data / "gongjian.sqlite") as db:
        db.execute("UPDATE audit SET office_id = 'wujiang.commerce' WHERE tenant_id = 'wujiang-siyang' AND n = 3")
    proc, address = start_server(data, "serve")
    try:
        client(home, "profile", "add", "siyang2", "--server", address, "--credentials", str(data / "pki" / "offices" / "siyang.gov"))
        broken = client(home, "audit", "verify", "--tenant", "wujiang-siyang", "--profile", "siyang2", check=False)
        assert broken.returncode == 70, broken.stdout + broken.stderr
        assert "the audit chain of wujiang-siyang breaks at entry 3: its hash does not match its fields" in broken.stderr
    finally:
        stop_server(proc)


def test_periodic_checkpoints_catch_a_rewritten_history(tmp_path):
    import time
    data = Path(tempfile.mkdtemp(prefix="gongjian-audit-"))
    proc, address = start_server(data)
    stop_server(proc)
    proc, address = start_server(data, "serve", "--audit-checkpoint-interval-seconds", "1")
    home = tmp_path / "office"
    try:
        client(home, "profile", "add", "siyang", "--server", address, "--credentials", str(data / "pki" / "offices" / "siyang.gov"))
        time.sleep(2.5)
        assert "signed checkpoints verified" in client(home, "audit", "verify", "--tenant", "wujiang-siyang").stdout
    finally:
        stop_server(proc)
    # The whole chain rewritten consistently from entry 2 on still contradicts the signed checkpoint.
    with sqlite3.connect(data / "gongjian.sqlite") as db:
        db.execute("DELETE FROM audit WHERE tenant_id = 'wujiang-siyang' AND n > 1")
        last = db.execute("SELECT hash FROM audit WHERE tenant_id = 'wujiang-siyang' AND n = 1").fetchone()[0]
        db.execute("UPDATE tenant_state SET audit_count = 1, audit_head = ? WHERE tenant_id = 'wujiang-siyang'", (last,))
    proc, address = start_server(data, "serve", "--audit-checkpoint-interval-seconds", "3600")
    try:
        client(home, "profile", "add", "siyang2", "--server", address, "--credentials", str(data / "pki" / "offices" / "siyang.gov"))
        broken = client(home, "audit", "verify", "--tenant", "wujiang-siyang", "--profile", "siyang2", check=False)
        assert broken.returncode == 70 and "history rewritten" in broken.stderr, broken.stderr
    finally:
        stop_server(proc)
