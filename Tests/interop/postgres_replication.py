"""PostgreSQL clusters that tests and dev/torture.py kill, restart and fail over: a cluster of
one's own (dev/postgres.sh), and a primary with a synchronous streaming standby behind HAProxy,
as docs/deployment.md describes."""
import glob
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time

HERE = pathlib.Path(__file__).resolve().parent
POSTGRES = HERE.parent.parent / "dev" / "postgres.sh"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    assert found, "PostgreSQL not found (dev/postgres.sh installs it)"
    return found[-1]


def as_postgres(*args):
    """PostgreSQL's programs refuse to run as root."""
    command = ["runuser", "-u", "postgres", "--", *args] if os.getuid() == 0 else list(args)
    return subprocess.run(command, check=True, capture_output=True, text=True)


def wait_for_port(port, seconds=10):
    deadline = time.time() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.time() < deadline, f"nothing listens on {port}"
            time.sleep(0.1)


class Cluster:
    """A PostgreSQL cluster in `dir` (dev/postgres.sh's layout: data/, port, server.log), which a
    test may kill, start again and stop."""

    def __init__(self, directory):
        self.dir = pathlib.Path(directory)
        self.port = int((self.dir / "port").read_text())

    @classmethod
    def create(cls, root, name="pg"):
        directory = pathlib.Path(root) / name
        subprocess.run([str(POSTGRES), "start", str(directory)], capture_output=True, text=True, check=True)
        return cls(directory)

    @property
    def url(self):
        return f"postgres://gongjian@127.0.0.1:{self.port}/gongjian?sslmode=disable"

    def psql(self, *commands):
        args = [f"{bindir()}/psql", "-qAt", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres"]
        for command in commands:
            args += ["-c", command]
        return as_postgres(*args).stdout.strip()

    def kill(self):
        """SIGKILL to the postmaster and every backend, as a crash would."""
        pid = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        subprocess.run(["pkill", "-9", "-P", str(pid)])
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
                time.sleep(0.05)
            except ProcessLookupError:
                return

    def resume(self):
        """Starts the cluster again (crash recovery first); returns when it accepts connections."""
        subprocess.run([str(POSTGRES), "resume", str(self.dir)], check=True, capture_output=True)
        return time.time()

    def stop(self):
        subprocess.run([str(POSTGRES), "stop", str(self.dir)], capture_output=True)


class Replicated:
    """A primary and a synchronous streaming standby behind HAProxy, which sends connections to
    the primary, and to the standby only when the primary is down. `fail_over` kills the
    primary, promotes the standby and makes a new standby of the new primary, as an operator
    would after a failover."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.generation = 0
        self.primary = Cluster.create(self.root, "primary")
        self.standby = self.make_standby()
        self.front = free_port()
        self.haproxy = None
        self.start_haproxy()

    @property
    def url(self):
        return f"postgres://gongjian@127.0.0.1:{self.front}/gongjian?sslmode=disable"

    def make_standby(self):
        self.generation += 1
        directory = self.root / f"standby{self.generation}"
        directory.mkdir()
        if os.getuid() == 0:
            shutil.chown(directory, "postgres")
        port = free_port()
        (directory / "port").write_text(f"{port}\n")
        as_postgres(f"{bindir()}/pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
                    "-D", str(directory / "data"), "-R", "-X", "stream", "-c", "fast")
        with open(directory / "data" / "postgresql.auto.conf", "a") as conf:
            conf.write(f"primary_conninfo = 'host=127.0.0.1 port={self.primary.port} user=postgres application_name=standby'\n")
        standby = Cluster(directory)
        standby.resume()
        self.primary.psql("ALTER SYSTEM SET synchronous_standby_names = 'standby'", "SELECT pg_reload_conf()")
        deadline = time.time() + 30
        while self.primary.psql("SELECT sync_state FROM pg_stat_replication") != "sync":
            assert time.time() < deadline, "the standby never became synchronous"
            time.sleep(0.2)
        return standby

    def start_haproxy(self):
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        assert os.path.exists(haproxy), "haproxy not found (dev/test.sh installs it)"
        config = self.root / "haproxy.cfg"
        config.write_text(f"""
global
  maxconn 1000
defaults
  mode tcp
  timeout connect 1s
  timeout client 1h
  timeout server 1h
listen postgres
  bind 127.0.0.1:{self.front}
  option pgsql-check user postgres
  default-server inter 300ms fall 2 rise 1 on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions
  server primary 127.0.0.1:{self.primary.port} check
  server standby 127.0.0.1:{self.standby.port} check backup
""")
        if self.haproxy is not None:
            self.haproxy.terminate()
            self.haproxy.wait()
        self.haproxy = subprocess.Popen([haproxy, "-f", str(config), "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.front)
        time.sleep(1)  # its first checks find the primary up

    def fail_over(self, rebuild=True):
        """Kills the primary and promotes the standby; returns when the promotion is done. With
        `rebuild`, then makes a new synchronous standby and points HAProxy at the pair."""
        self.primary.kill()
        as_postgres(f"{bindir()}/pg_ctl", "-D", str(self.standby.dir / "data"), "-w", "promote")
        promoted = time.time()
        self.primary, self.standby = self.standby, None
        if rebuild:
            self.standby = self.make_standby()
            self.start_haproxy()
        return promoted

    def stop(self):
        if self.haproxy is not None:
            self.haproxy.terminate()
            self.haproxy.wait()
        for cluster in (self.primary, self.standby):
            if cluster is not None:
                cluster.stop()
