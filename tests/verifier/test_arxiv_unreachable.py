"""No DNS or no route is not worth retrying; a dropped connection is."""

from __future__ import annotations

import errno
import socket
import time
from pathlib import Path

import httpx
import pytest

from verifier.arxiv_http import GaveUp, HttpPolicy, NetworkUnreachable, PoliteHttp, no_network


def test_dns_failure_fails_at_once_and_the_host_stays_unreachable(tmp_path: Path) -> None:
    slept: list[float] = []
    policy = HttpPolicy(allowed_urls=("http://arxiv.invalid/pdf/{id}",), state_dir=tmp_path,
                        min_interval_s=0.0, retries=5, backoff_s=10.0)
    with PoliteHttp(policy, sleep=slept.append) as http:
        started = time.monotonic()
        with pytest.raises(NetworkUnreachable, match="arxiv.invalid unreachable"):
            http.get("http://arxiv.invalid/pdf/2005.13013v2")
        with pytest.raises(NetworkUnreachable):
            http.get("http://arxiv.invalid/pdf/2104.07412v2")
        assert time.monotonic() - started < 10 and slept == []


def test_refused_connection_is_retried(tmp_path: Path) -> None:
    slept: list[float] = []
    policy = HttpPolicy(allowed_urls=("http://127.0.0.1:9/pdf/{id}",), state_dir=tmp_path,
                        min_interval_s=0.0, retries=2, backoff_s=0.01)
    with PoliteHttp(policy, sleep=slept.append) as http, pytest.raises(GaveUp):
        http.get("http://127.0.0.1:9/pdf/x")
    assert len(slept) == 2


def test_no_network_reads_the_cause_chain() -> None:
    def wrapped(cause: BaseException) -> httpx.ConnectError:
        try:
            raise httpx.ConnectError("connect failed") from cause
        except httpx.ConnectError as exc:
            return exc

    assert no_network(wrapped(socket.gaierror(-2, "Name or service not known")))
    assert no_network(wrapped(OSError(errno.ENETUNREACH, "Network is unreachable")))
    assert not no_network(wrapped(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")))
