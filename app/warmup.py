"""Start-up warm-up of the read routes.

The first request of each kind in a fresh server process compiled its SQL statements, built
the lexicon's regex and the response serialisers: an audit took about 60 ms instead of 6, a
text search 25 instead of 5. Under load those first requests made everyone behind them wait.
``claimtrace serve`` runs the hot read paths once before it listens (each against the real
database, reading a row or nothing), so that cost is paid before the first user arrives.
"""

from __future__ import annotations

import logging
import time
from typing import get_args

from sqlalchemy import func, select

from app.api.claims import claim_detail, claims_page
from app.api.verification import audit_response
from app.db import session_scope
from app.errors import NotFoundError
from app.models import Claim, Report
from app.services.claims import ClaimFilters, ClaimSort
from app.services.pagination import encode_cursor
from app.settings import Settings
from verifier.lexicon import find_entities

log = logging.getLogger(__name__)


def warm_up(settings: Settings) -> float:
    """Run each hot read path once (claims pages of every sort, with and without a cursor and
    each filter, a claim's detail, a report's audit); returns the seconds it took. Writes
    nothing; a failure is logged and the server starts anyway."""
    start = time.perf_counter()
    try:
        with session_scope(settings) as session:
            claim_id = session.scalar(select(func.min(Claim.id)))
            report_id = session.scalar(select(func.min(Report.id)))
            text = session.scalar(select(Claim.text).where(Claim.id == claim_id)) if claim_id else None
            for sort in get_args(ClaimSort):
                claims_page(session, ClaimFilters(), sort, None, 1)
                if claim_id is not None:
                    after = text if "text" in sort else claim_id
                    claims_page(session, ClaimFilters(), sort, encode_cursor(after, claim_id), 1)
            # A frequent term (found by walking the listing) and a rare one (found by the index).
            for filters in (ClaimFilters(q="model"), ClaimFilters(q="qzxj"), ClaimFilters(verdict="supported"),
                            ClaimFilters(report=report_id or 0)):
                claims_page(session, filters, "id", None, 1)
            for read, row_id in ((claim_detail, claim_id), (audit_response, report_id)):
                if row_id is not None:
                    try:
                        read(session, row_id)
                    except NotFoundError:  # deleted meanwhile
                        pass
            find_entities("XTREME")  # the lexicon's regex, also when there is no report yet
            session.rollback()
    except Exception:  # noqa: BLE001 - a warm-up must never keep the server from starting
        log.warning("warm-up of the read routes failed; the first requests will be slower", exc_info=True)
        return time.perf_counter() - start
    seconds = time.perf_counter() - start
    log.info("read routes warmed up in %.2f s", seconds)
    return seconds
