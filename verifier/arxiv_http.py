"""The one way Claimtrace talks to arXiv over HTTP, with every politeness rule in one place.

- only the origins (scheme, host, port) of the configured arXiv URLs are contacted, and a
  redirect is followed only after its target passed the same check;
- one request at a time, ``min_interval_s`` apart, across threads and processes
  (:class:`verifier.ratelimit.RateLimiter`);
- a timeout on every request and a deadline on every body;
- retries with exponential back-off on 429, 5xx, timeouts and dropped connections, honouring
  ``Retry-After``; no DNS or no route to the host fails at once (:class:`NetworkUnreachable`),
  and every later request to that host in the same session too;
- a cap on the size of every body;
- offline mode refuses before anything is opened.
"""

from __future__ import annotations

import email.utils
import errno
import logging
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from verifier.ratelimit import RateLimiter

log = logging.getLogger(__name__)

USER_AGENT = "claimtrace/0.1 (research claim checker; polite arXiv client)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ArxivFetchError(RuntimeError):
    """Something could not be fetched from arXiv; ``reason`` says what, ``url`` where."""

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        super().__init__(f"{reason} ({url})" if url else reason)
        self.reason = reason
        self.url = url


class OfflineMiss(ArxivFetchError):
    """Offline mode is on and what was asked for is not in the cache."""


class RequestRefused(ArxivFetchError):
    """The URL (or a redirect target) is not on a configured arXiv host."""


class ContentRejected(ArxivFetchError):
    """The body was too large, or not what was asked for (e.g. HTML instead of a PDF)."""


class HttpStatusError(ArxivFetchError):
    """A final HTTP status that is not a success and not worth retrying (404, 403, ...)."""

    def __init__(self, reason: str, *, url: str | None = None, status: int) -> None:
        super().__init__(reason, url=url)
        self.status = status


class NetworkUnreachable(ArxivFetchError):
    """No DNS or no route to the arXiv host: retrying would only wait."""


# OS errors that say the machine has no way to reach the host (not that the host is busy).
_NO_ROUTE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL})
_NO_DNS_TEXT = ("name or service not known", "temporary failure in name resolution",
                "nodename nor servname", "no address associated with hostname",
                "name resolution", "getaddrinfo failed")


def no_network(exc: BaseException) -> bool:
    """Whether a connection error means no DNS or no route (anywhere in its cause chain)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return True
        if isinstance(current, OSError) and current.errno in _NO_ROUTE:
            return True
        if any(text in str(current).lower() for text in _NO_DNS_TEXT):
            return True
        current = current.__cause__ or current.__context__
    return False


class GaveUp(ArxivFetchError):
    """Every attempt failed with a retryable error (429, 5xx, timeout, connection)."""

    def __init__(self, reason: str, *, url: str | None = None, attempts: int) -> None:
        super().__init__(reason, url=url)
        self.attempts = attempts


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """Limits and manners for talking to arXiv."""

    allowed_urls: tuple[str, ...]
    state_dir: Path
    min_interval_s: float = 3.0
    timeout_s: float = 30.0
    retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    max_retry_after_s: float = 300.0
    max_download_bytes: int = 50_000_000
    max_redirects: int = 5
    offline: bool = False
    user_agent: str = USER_AGENT

    @property
    def total_timeout_s(self) -> float:
        """Deadline for one response including its body (a slow drip counts too)."""
        return self.timeout_s * 10


@dataclass(frozen=True, slots=True)
class HttpResult:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` of a URL (templates with ``{id}`` are fine)."""
    parts = urlsplit(url.replace("{id}", "x"))
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise RequestRefused(f"not an http(s) URL: {url!r}", url=url)
    return scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[scheme]


def _format_origin(origin: Origin) -> str:
    return f"{origin[0]}://{origin[1]}:{origin[2]}"


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class PoliteHttp:
    """GET with the arXiv manners of :class:`HttpPolicy`. Use as a context manager."""

    def __init__(self, policy: HttpPolicy, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy = policy
        self.allowed = frozenset(origin_of(u) for u in policy.allowed_urls)
        self._sleep = sleep
        self._limiter = RateLimiter(policy.state_dir, policy.min_interval_s)
        self._client: httpx.Client | None = None
        self._unreachable: dict[str, str] = {}  # host -> why, for the rest of this session

    # Lifecycle ---------------------------------------------------------------------------
    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.policy.timeout_s),
                follow_redirects=False,  # every hop is checked against the allow-list first
                trust_env=False,  # no proxy or netrc surprises: only the configured hosts
                headers={"User-Agent": self.policy.user_agent},
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> PoliteHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Public ------------------------------------------------------------------------------
    def check_allowed(self, url: str, *, redirected_from: str | None = None) -> None:
        origin = origin_of(url)
        if origin not in self.allowed:
            allowed = ", ".join(sorted(_format_origin(o) for o in self.allowed))
            what = f"redirect from {redirected_from} to" if redirected_from else "request to"
            raise RequestRefused(
                f"refused {what} {_format_origin(origin)}: not a configured arXiv host "
                f"(allowed: {allowed})",
                url=url,
            )

    def get(self, url: str) -> HttpResult:
        """The 2xx response for ``url`` after redirects, retries and every check."""
        if self.policy.offline:
            raise OfflineMiss("offline mode: the network is not used", url=url)
        cap = self.policy.max_download_bytes
        current, previous = url, None
        for _hop in range(self.policy.max_redirects + 1):
            self.check_allowed(current, redirected_from=previous)
            host = origin_of(current)[1]
            if host in self._unreachable:
                raise NetworkUnreachable(self._unreachable[host], url=current)
            result = self._get_with_retries(current, cap)
            if result.status in REDIRECT_STATUSES:
                location = result.headers.get("location")
                if not location:
                    raise HttpStatusError(f"HTTP {result.status} without a Location", url=current,
                                          status=result.status)
                previous, current = current, urljoin(current, location)
                continue
            if 200 <= result.status < 300:
                return result
            raise HttpStatusError(f"HTTP {result.status}", url=current, status=result.status)
        raise HttpStatusError(f"more than {self.policy.max_redirects} redirects", url=url, status=310)

    # Internals ---------------------------------------------------------------------------
    def _get_with_retries(self, url: str, cap: int) -> HttpResult:
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            try:
                return self._send_once(url, cap)
            except _Retryable as exc:
                if attempt + 1 >= attempts:
                    raise GaveUp(f"gave up after {attempts} attempts: {exc.reason}", url=url,
                                 attempts=attempts) from None
                delay = min(self.policy.max_backoff_s, self.policy.backoff_s * 2**attempt)
                if exc.retry_after is not None:
                    if exc.retry_after > self.policy.max_retry_after_s:
                        raise GaveUp(
                            f"{exc.reason}; server asked to wait {exc.retry_after:.0f} s, more "
                            f"than the {self.policy.max_retry_after_s:.0f} s allowed",
                            url=url, attempts=attempt + 1,
                        ) from None
                    delay = max(delay, exc.retry_after)
                log.info("retrying %s in %.2f s (attempt %d/%d): %s", url, delay, attempt + 2,
                         attempts, exc.reason)
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_once(self, url: str, cap: int) -> HttpResult:
        with self._limiter.slot():
            started = time.monotonic()
            try:
                with self._http().stream("GET", url) as response:
                    status = response.status_code
                    headers = {k.lower(): v for k, v in response.headers.items()}
                    if status == 429 or status >= 500:
                        raise _Retryable(f"HTTP {status}", parse_retry_after(headers.get("retry-after")))
                    if not 200 <= status < 300:
                        return HttpResult(str(response.url), status, headers, b"")
                    content = self._read_capped(response, url, cap, started)
            except httpx.TimeoutException as exc:
                raise _Retryable(f"timed out after {self.policy.timeout_s:g} s ({type(exc).__name__})") from None
            except httpx.ConnectError as exc:
                if no_network(exc):
                    reason = f"{origin_of(url)[1]} unreachable (no network?): {exc}"
                    self._unreachable[origin_of(url)[1]] = reason
                    raise NetworkUnreachable(reason, url=url) from None
                raise _Retryable(f"connection error: {type(exc).__name__}: {exc}") from None
            except httpx.TransportError as exc:
                raise _Retryable(f"connection error: {type(exc).__name__}: {exc}") from None
        return HttpResult(str(response.url), status, headers, content)

    def _read_capped(self, response: httpx.Response, url: str, cap: int, started: float) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise ContentRejected(f"body of {int(declared)} bytes exceeds the {cap}-byte cap", url=url)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise ContentRejected(f"body exceeds the {cap}-byte cap", url=url)
            if time.monotonic() - started > self.policy.total_timeout_s:
                raise _Retryable(f"body not received within {self.policy.total_timeout_s:g} s")
            chunks.append(chunk)
        return b"".join(chunks)
