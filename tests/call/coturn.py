"""Debian's coturn on loopback for one test, with REST credentials and a test CA for TLS."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import ipaddress
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.net import free_port

TURNSERVER = os.environ.get("KIOSK_TURNSERVER", "/usr/bin/turnserver")


def available() -> bool:
    return Path(TURNSERVER).is_file() or shutil.which("turnserver") is not None


def rest_credentials(secret: str, principal: str, ttl_s: int = 3600) -> tuple[str, str]:
    """coturn's REST scheme: username "<expiry>:<name>", base64(HMAC-SHA1(secret, username))."""
    username = f"{int(time.time()) + ttl_s}:{principal}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def make_certificates(folder: Path, ip: str = "127.0.0.1") -> tuple[Path, Path, Path]:
    """(CA, server certificate with IP SAN `ip`, server key), all PEM."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    # A name of its own: a bundle of several test CAs (the hub's and coturn's) must not
    # hold two issuers of the same name, or OpenSSL checks against the wrong one.
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"kiosk test CA {ip}")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True,
            content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)]))
        .issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "turn.pem", folder / "turn.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    return ca_path, cert_path, key_path


@dataclass(frozen=True)
class Coturn:
    port: int  # TURN over UDP and TCP
    tls_port: int  # TURN over TLS
    secret: str
    ca: Path
    log: Path
    ip: str = "127.0.0.1"

    def urls(self) -> tuple[str, ...]:
        return (
            f"turn:{self.ip}:{self.port}?transport=udp",
            f"turn:{self.ip}:{self.port}?transport=tcp",
            f"turns:{self.ip}:{self.tls_port}?transport=tcp",
        )


def _wait_listening(ip: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"turnserver exited with {process.returncode}: "
                               f"{log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex((ip, port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"turnserver did not listen on {ip}:{port} within 15 s")


@contextmanager
def running_coturn(
    folder: Path, *, ip: str = "127.0.0.1", port: int | None = None,
    tls_port: int | None = None, wrap: list[str] | None = None,
) -> Iterator[Coturn]:
    """coturn on `ip` (loopback unless told), free ports unless told; `wrap` prefixes the
    command (`ip netns exec centre`), and then `ip` must be reachable from here too."""
    ca, cert, key = make_certificates(folder, ip)
    port, tls_port = port or free_port(), tls_port or free_port()
    secret = secrets.token_hex(16)
    log = folder / "turnserver.log"
    binary = TURNSERVER if Path(TURNSERVER).is_file() else str(shutil.which("turnserver"))
    argv = [
        *(wrap or []), binary, "-n",  # no configuration file, in the foreground
        f"--listening-ip={ip}", f"--relay-ip={ip}",
        f"--listening-port={port}", f"--tls-listening-port={tls_port}",
        "--allow-loopback-peers",  # else 403 Forbidden IP on loopback
        "--use-auth-secret", f"--static-auth-secret={secret}", "--realm=kiosk.test",
        f"--cert={cert}", f"--pkey={key}", "--no-dtls",
        "--no-cli", "--fingerprint", "--simple-log", f"--log-file={log}",
        f"--pidfile={folder / 'turnserver.pid'}", f"--userdb={folder / 'turndb'}",
    ]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(ip, port, process, log)
        _wait_listening(ip, tls_port, process, log)
        yield Coturn(port, tls_port, secret, ca, log, ip)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
