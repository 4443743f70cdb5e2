"""Regression tests, with stock Python TLS and HTTP/2 clients, for the transport defects an
outside probe found (issue 8): cipher suites, TLS alerts, identity per connection (session
resumption, injected headers) and gRPC statuses for malformed message prefixes."""
import datetime
import pathlib
import socket
import ssl
import sys
import tempfile

import grpc
import h2.config
import h2.connection
import h2.events
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

from gongjian.v1 import identity_pb2, identity_pb2_grpc  # noqa: E402
from test_interop import channel  # noqa: E402

WHOAMI = "/gongjian.v1.Identity/WhoAmI"


def split(address):
    host, port = address.rsplit(":", 1)
    return host, int(port)


def context(data, office="suqian.commerce", cert=None, key=None, ca=None, max_version=None, ciphers=None):
    folder = data / "pki" / "offices" / office
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(data / "pki" / "ca.pem"))
    if cert is not False:
        ctx.load_cert_chain(str(cert or folder / "cert.pem"), str(key or folder / "key.pem"))
    ctx.set_alpn_protocols(["h2"])
    if max_version:
        ctx.maximum_version = max_version
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


def connect(address, ctx, session=None):
    host, port = split(address)
    sock = socket.create_connection((host, port), timeout=10)
    return ctx.wrap_socket(sock, server_hostname=host, session=session)


class H2:
    """A raw HTTP/2 client connection over a TLS socket."""

    def __init__(self, sock):
        self.sock = sock
        self.conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        sock.sendall(self.conn.data_to_send())

    def call(self, path=WHOAMI, message=b"", headers=(), flag=0, declared_length=None, end_stream=True):
        """One gRPC call; returns (response headers and trailers, data, reset code)."""
        conn, sock = self.conn, self.sock
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [
            (":method", "POST"), (":scheme", "https"), (":path", path), (":authority", sock.getpeername()[0]),
            ("content-type", "application/grpc"), ("te", "trailers"), *headers,
        ])
        length = len(message) if declared_length is None else declared_length
        conn.send_data(stream, bytes([flag]) + length.to_bytes(4, "big") + message, end_stream=end_stream)
        sock.sendall(conn.data_to_send())
        fields, data, reset = {}, b"", None
        done = False
        while not done:
            chunk = sock.recv(65536)
            if not chunk:
                break
            for event in conn.receive_data(chunk):
                if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)) and event.stream_id == stream:
                    fields.update(dict(event.headers))
                elif isinstance(event, h2.events.DataReceived):
                    data += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                    done = True
                elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream:
                    reset = event.error_code
                    done = True
            outgoing = conn.data_to_send()
            if outgoing:
                sock.sendall(outgoing)
        return fields, data, reset


def grpc_call(sock, **kwargs):
    """One gRPC call on a new HTTP/2 connection over `sock`."""
    return H2(sock).call(**kwargs)


def whoami_office(data):
    response = identity_pb2.WhoAmIResponse()
    response.ParseFromString(data[5:])
    return response.office.id


def certificate(data, tmp, name, office_uris, not_before, not_after, ca=None):
    """A client certificate signed by `ca` (default: the deployment's CA)."""
    if ca is None:
        ca_cert = x509.load_pem_x509_certificate((data / "pki" / "ca.pem").read_bytes())
        ca_key = serialization.load_pem_private_key((data / "pki" / "ca-key.pem").read_bytes(), password=None)
    else:
        ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(u) for u in office_uris]), critical=False)
    )
    cert = builder.sign(ca_key, hashes.SHA256())
    cert_path, key_path = tmp / f"{name}.pem", tmp / f"{name}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def foreign_ca():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Somebody else's CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def alert_of(address, ctx):
    """The TLS alert a connection gets (in TLS 1.3 it arrives after the client's Finished)."""
    with pytest.raises(ssl.SSLError) as raised:
        with connect(address, ctx) as sock:
            sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            sock.recv(1)
    return raised.value.reason or str(raised.value)


# Defect 6: only AEAD suites in TLS 1.2.
@pytest.mark.parametrize("suite", ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256"])
def test_tls12_cbc_suites_refused(server, suite):
    address, data = server
    with pytest.raises(ssl.SSLError):
        connect(address, context(data, max_version=ssl.TLSVersion.TLSv1_2, ciphers=suite)).close()


@pytest.mark.parametrize("suite", ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"])
def test_tls12_aead_suites_accepted(server, suite):
    address, data = server
    with connect(address, context(data, max_version=ssl.TLSVersion.TLSv1_2, ciphers=suite)) as sock:
        assert sock.version() == "TLSv1.2"
        fields, body, _ = grpc_call(sock)
        assert fields.get("grpc-status") == "0"
        assert whoami_office(body) == "suqian.commerce"


# Defect 9: refusals carry the matching alert.
def test_alerts_name_the_reason(server):
    address, data = server
    tmp = pathlib.Path(tempfile.mkdtemp())
    now = datetime.datetime.now(datetime.timezone.utc)
    uri = ["gongjian://office/wujiang.commerce"]
    expired = certificate(data, tmp, "expired", uri, now - datetime.timedelta(days=10), now - datetime.timedelta(days=1))
    assert "CERTIFICATE_EXPIRED" in alert_of(address, context(data, cert=expired[0], key=expired[1]))
    foreign = certificate(data, tmp, "foreign", uri, now - datetime.timedelta(days=1), now + datetime.timedelta(days=1), ca=foreign_ca())
    assert "UNKNOWN_CA" in alert_of(address, context(data, cert=foreign[0], key=foreign[1]))
    assert "CERTIFICATE_REQUIRED" in alert_of(address, context(data, cert=False))


# Defect 8: a certificate naming two offices is refused, not taken as the first.
def test_two_office_uris_refused(server):
    address, data = server
    tmp = pathlib.Path(tempfile.mkdtemp())
    now = datetime.datetime.now(datetime.timezone.utc)
    both = certificate(
        data, tmp, "both", ["gongjian://office/wujiang.commerce", "gongjian://office/suqian.drc"],
        now - datetime.timedelta(hours=1), now + datetime.timedelta(days=1),
    )
    try:
        with connect(address, context(data, cert=both[0], key=both[1])) as sock:
            fields, _, _ = grpc_call(sock)
    except (ssl.SSLError, OSError):
        return
    # The server closed the connection right after the handshake, answering nothing.
    assert not fields, f"answered: {fields}"


# Defect 7: the identity belongs to the connection, however it was established.
def test_resumed_session_keeps_its_identity(server):
    address, data = server
    ctx = context(data, office="changshu.commerce")
    with connect(address, ctx) as first:
        fields, body, _ = grpc_call(first)
        assert whoami_office(body) == "changshu.commerce"
        session = first.session
    with connect(address, ctx, session=session) as second:
        assert second.session_reused, "the server did not resume the TLS session"
        fields, body, _ = grpc_call(second)
        assert fields.get("grpc-status") == "0", fields
        assert whoami_office(body) == "changshu.commerce"


def test_identity_header_from_a_client_is_ignored(server):
    address, data = server
    forged = [("gongjian-connection-identity", "suqian.drc 01 4102444800")]
    with connect(address, context(data, office="changshu.commerce")) as sock:
        fields, body, _ = grpc_call(sock, headers=forged)
        assert whoami_office(body) == "changshu.commerce"
    with channel(address, data, "changshu.commerce") as ch:
        me = identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), metadata=forged, timeout=10)
        assert me.office.id == "changshu.commerce"


# Defect 8: malformed message prefixes get a gRPC status, not a reset stream.
@pytest.mark.parametrize("flag,headers,status,text", [
    (2, (), "13", "invalid compressed flag 2"),
    (1, (), "13", "without a grpc-encoding header"),
])
def test_bad_compressed_flags(server, flag, headers, status, text):
    address, data = server
    with connect(address, context(data)) as sock:
        fields, _, reset = grpc_call(sock, flag=flag, headers=headers)
        assert fields.get("grpc-status") == status, (fields, reset)
        assert text in fields.get("grpc-message", "")


def test_oversize_length_prefix_answers_resource_exhausted(server):
    address, data = server
    with connect(address, context(data)) as sock:
        client = H2(sock)
        # Declares 100 MB, sends 10 bytes and waits: the answer comes from the prefix alone.
        fields, _, reset = client.call(message=b"0123456789", declared_length=100_000_000, end_stream=False)
        assert fields.get("grpc-status") == "8", (fields, reset)
        assert "request message of 100000000 bytes exceeds the limit" in fields.get("grpc-message", "")
        # The connection still serves.
        fields, body, _ = client.call()
        assert whoami_office(body) == "suqian.commerce"
