"""Server certificate rotation without a restart, under load: calls on open connections go on,
and new handshakes get the new certificate."""
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import grpc

from conftest import BIN, HERE, start_server, stop_server
from test_interop import channel

sys.path.insert(0, str(HERE / "generated"))
from gongjian.v1 import identity_pb2, identity_pb2_grpc  # noqa: E402


def presented_certificate(address, data):
    """The DER certificate a new TLS handshake gets from the server."""
    host, port = address.rsplit(":", 1)
    folder = data / "pki" / "offices" / "sihong.gov"
    context = ssl.create_default_context(cafile=str(data / "pki" / "ca.pem"))
    context.check_hostname = False
    context.load_cert_chain(str(folder / "cert.pem"), str(folder / "key.pem"))
    context.set_alpn_protocols(["h2"])
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        with context.wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True)


def test_rotating_the_server_certificate_while_calls_go_on():
    data = Path(tempfile.mkdtemp(prefix="gongjian-rotate-"))
    proc, address = start_server(data)
    try:
        before = presented_certificate(address, data)
        stop, failures, calls = threading.Event(), [], [0]

        def load():
            with channel(address, data, "sihong.gov") as ch:
                identity = identity_pb2_grpc.IdentityStub(ch)
                while not stop.is_set():
                    try:
                        identity.WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
                        calls[0] += 1
                    except grpc.RpcError as error:
                        failures.append(error.code())

        threads = [threading.Thread(target=load) for _ in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        rotated = subprocess.run([str(BIN / "gongjian-server"), "certs", "rotate-server", "--data-dir", str(data)],
                                 capture_output=True, text=True, check=True)
        assert "127.0.0.1" in rotated.stdout, rotated.stdout
        after = None
        for _ in range(40):
            time.sleep(0.5)
            after = presented_certificate(address, data)
            if after != before:
                break
        stop.set()
        for thread in threads:
            thread.join()
        new_pem = (data / "pki" / "server.pem").read_text()
        assert after != before and after == ssl.PEM_cert_to_DER_cert(new_pem), "new handshakes do not get the new certificate"
        assert calls[0] > 50 and failures == [], (calls[0], failures[:5])
    finally:
        stop_server(proc)
