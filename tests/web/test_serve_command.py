"""`coach serve` as an operator runs it: HTTPS with a certificate, the transport rules (loopback,
TLS or listed proxies), and the one-line refusals."""

from __future__ import annotations

import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from access.service import Access
from access.settings import AccessSettings, access_settings
from cli import main
from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse
from tests.web.conftest import PASSWORD


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serving_https(pipeline: Pipeline, tmp_path):
    paths = copy_warehouse(pipeline.paths, tmp_path / "w")
    store = access_settings(paths.published).store  # where `coach serve` looks
    Access.open(AccessSettings(store=store)).users.add("lead", "viewer", PASSWORD)
    cert, key = _certificate(tmp_path)
    port = _free_port()
    command = [sys.executable, "-m", "cli", "serve", "--warehouse", str(paths.published)]
    command += ["--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = server.stdout.readline()
        assert f"at https://127.0.0.1:{port}/" in first, first
        base = f"https://127.0.0.1:{port}"
        trusted = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(verify=trusted, base_url=base, follow_redirects=False) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    form = client.get("/login")
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
            assert "Secure" in form.headers["set-cookie"]
            token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            response = client.post(
                "/login",
                data={"name": "lead", "password": PASSWORD, "csrf": token},
                headers={"origin": base},
            )
            assert response.status_code == 303
            cookie = response.headers["set-cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie
            assert client.get("/api/caseload").status_code == 200
        with pytest.raises(httpx.HTTPError):  # no plain HTTP on the same port
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--host", "0.0.0.0"], "--host '0.0.0.0' is not a loopback address: serve it over HTTPS"),
        (["--tls-cert", "c.pem"], "--tls-cert and --tls-key go together"),
        (["--tls-cert", "none.pem", "--tls-key", "none.pem"], "--tls-cert: no such file"),
        (["--auth", "proxy"], "--auth proxy trusts a user name set by a proxy"),
        (["--behind-proxy", "not-an-address"], "--behind-proxy takes IP addresses or networks"),
        (
            ["--behind-proxy", "10.0.0.5", "--auth", "proxy", "--auth-header", "X Bad"],
            "--auth-header must be a header name",
        ),
    ],
)
def test_transport_mistakes_are_one_line(arguments, message, tmp_path):
    result = CliRunner().invoke(
        main, ["serve", "--warehouse", str(tmp_path / "w.duckdb"), *arguments]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_serve_needs_a_user(pipeline: Pipeline, tmp_path):
    paths = copy_warehouse(pipeline.paths, tmp_path / "w")
    result = CliRunner().invoke(main, ["serve", "--warehouse", str(paths.published)])
    assert result.exit_code == 2
    assert "nobody could log in: add one with `coach users add NAME --role admin`" in result.output


def test_a_proxy_without_tls_may_serve_beyond_loopback(pipeline: Pipeline, tmp_path):
    """--behind-proxy lifts the loopback rule (the proxy terminates TLS); it is checked before
    anything is opened, so a wrong warehouse shows it got past the transport rules."""
    result = CliRunner().invoke(
        main,
        ["serve", "--host", "0.0.0.0", "--behind-proxy", "10.0.0.5", "--warehouse", "/nowhere/w"],
    )
    assert result.exit_code == 1 and "No warehouse at /nowhere/w" in result.output
