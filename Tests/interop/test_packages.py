"""The packages, as an operator and an office install them: `dev/package.sh` builds them once
(release, the Swift standard library linked in), then the tests take them apart, install them
with dpkg on this machine, run the installed binaries with nothing but PATH in their
environment, upgrade over a lower version (the same binaries repackaged), and remove them.

They install into the machine's own /usr, /etc and /var/lib (the test command runs as root on a
throwaway machine) and remove what they installed at the end."""
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import await_listening

ROOT = Path(__file__).resolve().parent.parent.parent
VERSION = (ROOT / "VERSION").read_text().strip()
OLDER = "0.0.1"
CONFIG = Path("/etc/gongjian/server.json")
DATA = Path("/var/lib/gongjian")
UNIT = Path("/usr/lib/systemd/system/gongjian-server.service")
BARE = ["env", "-i", "PATH=/usr/bin:/bin"]


def run(*args, check=True, timeout=120, **kwargs):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check:
        assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def as_gongjian(*args):
    """A command as the packaged system user, exec'd directly (setpriv forks nothing), with
    nothing but PATH in its environment."""
    return ["setpriv", "--reuid", "gongjian", "--regid", "gongjian", "--init-groups", *BARE, *args]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def purge():
    """Leaves the machine as before: no packages, user, configuration or data of ours."""
    subprocess.run(["dpkg", "--purge", "gongjian-server", "gongjian"], capture_output=True)
    shutil.rmtree(DATA, ignore_errors=True)
    shutil.rmtree(CONFIG.parent, ignore_errors=True)
    subprocess.run(["userdel", "gongjian"], capture_output=True)
    subprocess.run(["groupdel", "gongjian"], capture_output=True)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    assert os.geteuid() == 0, "the package tests install with dpkg: run them as root (dev/test.sh does)"
    out = tmp_path_factory.mktemp("dist")
    built = run(ROOT / "dev" / "package.sh", "--out", out, timeout=3600)
    # The same binaries under a lower version, to upgrade from: no second build.
    run(ROOT / "dev" / "package.sh", "--version", OLDER, "--out", out, timeout=600)
    print(built.stderr[-2000:])
    purge()
    yield out
    purge()


def deb(dist, package, version=VERSION):
    return dist / f"{package}_{version}_amd64.deb"


def test_packages_hold_static_binaries_man_pages_completions_and_the_unit(dist, tmp_path):
    for package, version in [("gongjian", VERSION), ("gongjian-server", VERSION), ("gongjian", OLDER)]:
        assert deb(dist, package, version).exists(), sorted(p.name for p in dist.iterdir())
    cli = run("dpkg-deb", "-c", deb(dist, "gongjian")).stdout
    for path in ["./usr/bin/gongjian", "./usr/share/man/man1/gongjian.1.gz", "./usr/share/bash-completion/completions/gongjian",
                 "./usr/share/zsh/vendor-completions/_gongjian", "./usr/share/fish/vendor_completions.d/gongjian.fish"]:
        assert path in cli, cli
    server = run("dpkg-deb", "-c", deb(dist, "gongjian-server")).stdout
    for path in ["./usr/bin/gongjian-server", "./usr/share/man/man1/gongjian-server.1.gz",
                 "./usr/share/bash-completion/completions/gongjian-server", "./usr/lib/systemd/system/gongjian-server.service",
                 "./etc/gongjian/server.json"]:
        assert path in server, server
    assert "./var/lib/gongjian" not in server, "the data directory is made by postinst, so that dpkg never removes it"
    assert run("dpkg-deb", "-I", deb(dist, "gongjian-server"), "conffiles").stdout.split() == ["/etc/gongjian/server.json"]

    # Dependencies: the system's C libraries, declared.
    for package in ["gongjian", "gongjian-server"]:
        depends = run("dpkg-deb", "-f", deb(dist, package), "Depends").stdout
        for library in ["libc6", "libsqlite3-0", "libstdc++6"]:
            assert library in depends, depends
        assert run("dpkg-deb", "-f", deb(dist, package), "Version").stdout.strip() == VERSION

    # The binaries load no Swift library; every library they load is a system one.
    extracted = tmp_path / "x"
    run("dpkg-deb", "-x", deb(dist, "gongjian-server"), extracted)
    run("dpkg-deb", "-x", deb(dist, "gongjian"), extracted)
    for binary in ["gongjian", "gongjian-server"]:
        ldd = run("ldd", extracted / "usr" / "bin" / binary).stdout
        assert "swift" not in ldd.lower() and "foundation" not in ldd.lower(), ldd
        for line in ldd.splitlines():
            if "=>" in line:
                target = line.split("=>")[1].split("(")[0].strip()
                assert target.startswith(("/lib/", "/usr/lib/", "/lib64/")), line
    manual = run("zcat", extracted / "usr/share/man/man1/gongjian-server.1.gz").stdout
    assert ".Sh NAME" in manual or ".SH NAME" in manual
    assert "Em serve" in manual and "Fl -config" in manual
    bash = (extracted / "usr/share/bash-completion/completions/gongjian").read_text()
    assert "council" in bash and "sync" in bash

    # The tarball: both binaries, the unit, the configuration, man pages and completions.
    with tarfile.open(dist / f"gongjian-{VERSION}-linux-x86_64.tar.gz") as tar:
        names = set(tar.getnames())
    top = f"gongjian-{VERSION}-linux-x86_64"
    for path in ["bin/gongjian", "bin/gongjian-server", "systemd/gongjian-server.service", "etc/server.json",
                 "share/man/man1/gongjian.1.gz", "share/man/man1/gongjian-server.1.gz", "README"]:
        assert f"{top}/{path}" in names, sorted(names)


def start_installed_server(log):
    health, metrics = free_port(), free_port()
    proc = subprocess.Popen(
        as_gongjian("gongjian-server", "serve", "--config", CONFIG, "--listen", "127.0.0.1:0",
                    "--health-listen", f"127.0.0.1:{health}", "--metrics-listen", f"127.0.0.1:{metrics}"),
        stdout=subprocess.PIPE, stderr=open(log, "a"), text=True, cwd="/",
    )
    return proc, await_listening(proc, log)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=45) == 0


def office(home, *args, check=True):
    """The installed CLI with only PATH and where to keep its profile and mirror."""
    return run(*BARE, f"XDG_CONFIG_HOME={home}/config", f"XDG_DATA_HOME={home}/data", "gongjian", *args, check=check, cwd=home)


def test_install_serve_upgrade_and_remove(dist, tmp_path):
    # The older version first, as an operator installs it.
    installed = run("dpkg", "-i", deb(dist, "gongjian-server", OLDER), deb(dist, "gongjian", OLDER))
    assert "sudo -u gongjian gongjian-server init --config /etc/gongjian/server.json" in installed.stdout
    user = pwd.getpwnam("gongjian")
    assert user.pw_dir == str(DATA) and user.pw_shell == "/usr/sbin/nologin"
    assert DATA.stat().st_uid == user.pw_uid and oct(DATA.stat().st_mode & 0o777) == "0o700"
    assert CONFIG.stat().st_uid == 0 and CONFIG.stat().st_gid == grp.getgrnam("gongjian").gr_gid
    assert oct(CONFIG.stat().st_mode & 0o777) == "0o640"
    for binary in ["gongjian", "gongjian-server"]:
        assert run(*BARE, binary, "--version").stdout.strip() == VERSION
        assert "swift" not in run("ldd", f"/usr/bin/{binary}").stdout.lower()

    # The unit passes systemd's own check, with the binary it names installed.
    verified = run("systemd-analyze", "verify", UNIT, check=False)
    assert verified.returncode == 0, verified.stderr
    assert "gongjian-server.service" not in verified.stderr, verified.stderr

    # Before init the unit's condition refuses, saying how; root may not initialise the user's directory.
    refused = run(*as_gongjian("gongjian-server", "config", "check", "--initialised", CONFIG), check=False)
    assert refused.returncode == 1 and "/var/lib/gongjian is not initialised" in refused.stderr
    assert "gongjian-server init --config /etc/gongjian/server.json" in refused.stderr
    as_root = run(*BARE, "gongjian-server", "init", "--config", CONFIG, "--dev", check=False)
    assert as_root.returncode == 64 and "/var/lib/gongjian belongs to user gongjian" in as_root.stderr
    assert not (DATA / "pki").exists()

    made = run(*as_gongjian("gongjian-server", "init", "--config", CONFIG, "--dev", "--host", "127.0.0.1"))
    assert "initialised /var/lib/gongjian" in made.stdout
    assert run(*as_gongjian("gongjian-server", "config", "check", "--initialised", CONFIG)).returncode == 0
    assert (DATA / "gongjian.sqlite").stat().st_uid == user.pw_uid

    log = tmp_path / "server.log"
    proc, address = start_installed_server(log)
    home = tmp_path / "office"
    home.mkdir()
    credentials = DATA / "pki" / "offices" / "siyang.gov"
    try:
        who = run(*BARE, "gongjian", "whoami", "--server", address, "--credentials", DATA / "pki/offices/suqian.drc", cwd=tmp_path)
        assert "suqian.drc" in who.stdout
        office(home, "profile", "add", "siyang", "--server", address, "--credentials", credentials)
        parks = home / "parks.yaml"
        parks.write_text("- name: 升级前园区\n  host_county: 泗阳县\n  suzhou_partner: 吴江区\n  planned_area_centimu: 300000\n", encoding="utf-8")
        pushed = office(home, "submit", "park", "--tenant", "wujiang-siyang", "--file", parks, "--wait")
        assert "applied v1" in pushed.stdout, pushed.stdout
    finally:
        stop(proc)

    # The operator edits the configuration; an upgrade keeps it and the data.
    edited = json.loads(CONFIG.read_text())
    edited["limits"] = {"max_mutations_per_push": 100}
    CONFIG.write_text(json.dumps(edited, indent=2) + "\n")
    upgraded = run("dpkg", "-i", deb(dist, "gongjian-server"), deb(dist, "gongjian"))
    assert "initialise the data directory" not in upgraded.stdout
    assert run("dpkg-query", "-W", "-f", "${Version}", "gongjian-server").stdout == VERSION
    assert json.loads(CONFIG.read_text()) == edited
    assert oct(CONFIG.stat().st_mode & 0o777) == "0o640"

    proc, address = start_installed_server(log)
    try:
        # A fresh office home: no mirror that could answer instead of the server.
        fresh = tmp_path / "fresh"
        fresh.mkdir()
        listed = office(fresh, "list", "park", "--tenant", "wujiang-siyang", "--server", address, "--credentials", credentials)
        assert "升级前园区" in listed.stdout, listed.stdout
    finally:
        stop(proc)

    # Removing keeps the data and the configuration; purging removes the configuration and says where the data is.
    removed = run("dpkg", "-r", "gongjian-server")
    assert not Path("/usr/bin/gongjian-server").exists() and not UNIT.exists()
    assert (DATA / "gongjian.sqlite").exists() and CONFIG.exists()
    assert "the data is kept in /var/lib/gongjian" in removed.stdout
    purged = run("dpkg", "--purge", "gongjian-server")
    assert not CONFIG.exists() and (DATA / "gongjian.sqlite").exists()
    assert "left in /var/lib/gongjian" in purged.stdout
    run("dpkg", "-r", "gongjian")
    assert not Path("/usr/bin/gongjian").exists()
