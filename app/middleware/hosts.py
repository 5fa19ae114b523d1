"""Host header allow-list (against DNS rebinding): the rules of Starlette's TrustedHostMiddleware,
answered with our JSON error body."""

from __future__ import annotations

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from app.errors import error_body
from app.middleware.context import send_json


def host_name(host_header: str | None) -> str | None:
    """``example.com:8000`` → ``example.com``; ``[::1]:8000`` → ``::1``; None when malformed."""
    if not host_header or any(c.isspace() or c in "/@?#" for c in host_header):
        return None
    if host_header.startswith("["):
        end = host_header.find("]")
        return host_header[1:end].lower() if end > 1 else None
    name, _, port = host_header.partition(":")
    if port and not port.isdigit():
        return None
    return name.lower() or None


class AllowedHostsMiddleware(TrustedHostMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = host_name(Headers(scope=scope).get("host"))
        if host is not None and any(host == p or (p.startswith("*.") and host.endswith(p[1:]))
                                    for p in self.allowed_hosts):
            await self.app(scope, receive, send)
            return
        shown = (host or "(missing or malformed)")[:100]
        await send_json(send, 400, error_body(
            "host_not_allowed", f"Host {shown!r} is not served here; an operator can add it to "
                                f"CLAIMTRACE_ALLOWED_HOSTS"))
