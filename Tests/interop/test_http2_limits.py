"""The server's HTTP/2 limits, with raw frames over mutual TLS (issue 8): concurrent streams,
rapid reset, header list size, PING, SETTINGS and CONTINUATION floods. Each abusive connection is
ended by the server while another office's calls go on. The figures are documented in
docs/DESIGN.md ("HTTP/2 limits")."""
import socket
import struct
import threading
import time

import h2.connection
import hpack
import pytest

from test_hardening import H2, connect, context, whoami_office

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0x0, 0x1, 0x3, 0x4, 0x6, 0x7, 0x8, 0x9
END_STREAM, END_HEADERS = 0x1, 0x4
CANCEL, ENHANCE_YOUR_CALM = 0x8, 0xB
# A flooding client keeps writing after the server has sent GOAWAY and closed; the server's kernel
# answers that data with a reset, and a reset can discard the GOAWAY still unread in the client's
# receive buffer. The connection was ended by the server all the same.
ENDED = "ended by the server, its GOAWAY lost to the reset"


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def request_block(encoder, path="/gongjian.v1.Identity/WhoAmI", extra=()):
    return encoder.encode([
        (":method", "POST"), (":scheme", "https"), (":path", path), (":authority", "127.0.0.1"),
        ("content-type", "application/grpc"), ("te", "trailers"), *extra,
    ])


class RawConnection:
    """Frames written and read by hand, to send what a well-behaved client library would not."""

    def __init__(self, address, data):
        self.sock = connect(address, context(data))
        self.sock.sendall(PREFACE + frame(SETTINGS, 0, 0))
        self.buffer = b""
        self.encoder = hpack.Encoder()
        # Acknowledge the server's SETTINGS: its limits apply from then on.
        for kind, flags, _, _ in self.frames(timeout=5):
            if kind == SETTINGS and not flags & 0x1:
                self.sock.sendall(frame(SETTINGS, 0x1, 0))
                break

    def send(self, payload):
        try:
            self.sock.sendall(payload)
            return True
        except OSError:
            return False

    def frames(self, timeout=5):
        """Frames the server sends until it closes the connection or `timeout` passes."""
        self.sock.settimeout(timeout)
        deadline = time.time() + timeout
        while time.time() < deadline:
            while len(self.buffer) >= 9:
                length = int.from_bytes(self.buffer[:3], "big")
                if len(self.buffer) < 9 + length:
                    break
                kind, flags = self.buffer[3], self.buffer[4]
                stream = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
                payload = self.buffer[9 : 9 + length]
                self.buffer = self.buffer[9 + length :]
                yield kind, flags, stream, payload
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return
            except OSError:
                self.ended = True
                return
            if not chunk:
                self.ended = True
                return
            self.buffer += chunk

    def goaway(self, timeout=5):
        """The GOAWAY error code the server ends the connection with; ENDED when the server closed
        the connection before a GOAWAY could be read; None when it kept the connection open."""
        self.ended = False
        for kind, _, _, payload in self.frames(timeout):
            if kind == GOAWAY:
                return int.from_bytes(payload[4:8], "big")
        return ENDED if self.ended else None

    def close(self):
        self.sock.close()


def office_is_served(address, data):
    with connect(address, context(data, office="changshu.commerce")) as sock:
        fields, body, _ = H2(sock).call()
        return fields.get("grpc-status") == "0" and whoami_office(body) == "changshu.commerce"


def test_settings_advertise_the_stream_limit(server):
    address, data = server
    with connect(address, context(data)) as sock:
        client = H2(sock)
        client.call()
        assert client.conn.remote_settings.max_concurrent_streams == 256
        assert client.conn.remote_settings.max_header_list_size == 16384


def test_streams_over_the_limit_end_the_connection(server):
    address, data = server
    raw = RawConnection(address, data)
    # 300 requests left open (no END_STREAM) where 256 are allowed: NIOHTTP2 answers the 257th
    # with GOAWAY (PROTOCOL_ERROR).
    block = request_block(raw.encoder)
    for index in range(300):
        raw.send(frame(HEADERS, END_HEADERS, 1 + 2 * index, block))
    goaways = [payload for kind, _, _, payload in raw.frames(timeout=5) if kind == GOAWAY]
    raw.close()
    assert goaways, "the connection over the stream limit was not ended"
    assert int.from_bytes(goaways[0][4:8], "big") == 0x1
    assert office_is_served(address, data)


def flood_until_goaway(raw, frames, limit):
    """Sends `frames` repeatedly until the server answers GOAWAY; returns (code, frames sent)."""
    codes = []
    reader = threading.Thread(target=lambda: codes.append(raw.goaway(timeout=20)))
    reader.start()
    sent = 0
    while sent < limit and reader.is_alive():
        if not raw.send(frames(sent)):
            break
        sent += 1
    reader.join()
    raw.close()
    return codes[0], sent


def test_rapid_reset_flood_is_stopped(server):
    address, data = server
    raw = RawConnection(address, data)
    block = request_block(raw.encoder)
    code, sent = flood_until_goaway(
        raw, lambda i: frame(HEADERS, END_HEADERS, 1 + 2 * i, block) + frame(RST_STREAM, 0, 1 + 2 * i, struct.pack(">I", CANCEL)), 20_000
    )
    assert code in (ENHANCE_YOUR_CALM, ENDED), (code, sent)
    assert office_is_served(address, data)


def test_ping_flood_is_stopped(server):
    address, data = server
    code, sent = flood_until_goaway(RawConnection(address, data), lambda i: frame(PING, 0, 0, struct.pack(">Q", i)), 20_000)
    assert code in (ENHANCE_YOUR_CALM, ENDED), (code, sent)
    assert office_is_served(address, data)


def test_settings_flood_is_stopped(server):
    address, data = server
    code, sent = flood_until_goaway(RawConnection(address, data), lambda i: frame(SETTINGS, 0, 0), 20_000)
    assert code in (ENHANCE_YOUR_CALM, ENDED), (code, sent)
    assert office_is_served(address, data)


def test_continuation_flood_is_stopped(server):
    address, data = server
    raw = RawConnection(address, data)
    block = request_block(raw.encoder, extra=[("x-padding", "p" * 60)])
    first, rest = block[:8], block[8:]
    raw.send(frame(HEADERS, 0, 1, first))
    # Empty CONTINUATION frames, never ending the header block.
    code, sent = flood_until_goaway(raw, lambda i: frame(CONTINUATION, 0, 1, b""), 20_000)
    assert code is not None, sent
    assert sent < 20_000
    assert office_is_served(address, data)


def test_oversized_header_list_is_refused(server):
    address, data = server
    raw = RawConnection(address, data)
    raw.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, request_block(raw.encoder, extra=[("x-big", "b" * 20_000)])))
    answers = [(kind, payload) for kind, _, stream, payload in raw.frames(timeout=3) if kind in (GOAWAY, RST_STREAM)]
    raw.close()
    assert answers, "the oversized header list was neither reset nor answered with GOAWAY"
    assert office_is_served(address, data)
