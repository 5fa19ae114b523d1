"""What serving on an address implies: AUTH=auto means reads need a token off loopback, and a
Host allow-list of loopback names will refuse clients that reach a public address."""

from __future__ import annotations

import ipaddress

from app.settings import LOOPBACK_HOSTS, Settings


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def settings_for_bind(settings: Settings, host: str) -> tuple[Settings, list[str]]:
    """Settings with ``auth`` resolved for serving on ``host``, and warnings for the operator."""
    warnings = []
    if settings.auth == "auto":
        settings = settings.model_copy(update={"auth": "on" if not is_loopback(host) else "off"})
    if not is_loopback(host) and set(settings.allowed_hosts) <= set(LOOPBACK_HOSTS):
        warnings.append(f"serving on {host} but CLAIMTRACE_ALLOWED_HOSTS allows only loopback names: requests "
                        f"naming another host get 400; set it to the names clients use")
    if not is_loopback(host) and settings.auth == "off":
        warnings.append(f"serving on {host} with CLAIMTRACE_AUTH=off: anyone who reaches it can read everything")
    return settings, warnings
