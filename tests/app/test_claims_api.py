"""GET /api/claims: filters, sort, cursor pagination; GET /api/claims/{id}; /healthz."""

from __future__ import annotations

import pytest


def all_pages(client, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = client.get("/api/claims", params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_cursor_pages_cover_every_claim_once(client, ingested) -> None:
    paged = all_pages(client, limit=4)
    assert len(paged) == 18
    assert [c["id"] for c in paged] == sorted(c["id"] for c in paged)


@pytest.mark.parametrize("sort", ["-id", "text", "-text"])
def test_sorted_pages(client, ingested, sort) -> None:
    paged = all_pages(client, limit=5, sort=sort)
    key = (lambda c: c["id"]) if sort.endswith("id") else (lambda c: (c["text"], c["id"]))
    assert paged == sorted(paged, key=key, reverse=sort.startswith("-"))
    assert len({c["id"] for c in paged}) == 18


def test_filters(client, ingested) -> None:
    in_report_2 = all_pages(client, report=ingested[1])
    assert len(in_report_2) == 9
    hits = all_pages(client, q="xtreme BENCHMARK")
    assert hits and all("xtreme benchmark" in c["text"].lower() for c in hits)
    assert all_pages(client, q="100%_") == []
    truncated = all_pages(client, truncated="true")
    assert truncated and all(c["truncated"] for c in truncated)
    assert len(truncated) + len(all_pages(client, truncated="false")) == 18


def test_limit_is_capped_and_bad_cursor_is_a_400(client, ingested) -> None:
    assert client.get("/api/claims", params={"limit": 201}).status_code == 422
    response = client.get("/api/claims", params={"cursor": "not-a-cursor"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"


def test_claim_detail_lists_every_mention_and_group(client, ingested) -> None:
    ours = all_pages(client, q="Evaluating our best")[0]
    the = all_pages(client, q="Evaluating the best")[0]
    assert ours["id"] != the["id"] and ours["group_id"] == the["group_id"]
    detail = client.get(f"/api/claims/{ours['id']}").json()
    assert len(detail["mentions"]) == detail["mention_count"] == 3
    assert {m["stated_confidence"] for m in detail["mentions"]} == {0.33}


def test_healthz_and_openapi(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/reports", "/api/claims", "/api/claims/{claim_id}", "/api/sources"} <= set(paths)


def test_claims_page_is_exactly_its_declared_model(client, ingested) -> None:
    """Pages are encoded from plain rows: they must be what the response model would send."""
    from app.schemas.claims import ClaimSummary
    from app.schemas.common import CursorPage

    for params in ({"limit": 7}, {"sort": "-text", "limit": 3}, {"verdict": "unverified"}):
        page = client.get("/api/claims", params=params).json()
        assert page["items"]
        assert page == CursorPage[ClaimSummary].model_validate(page).model_dump(mode="json")
        assert set(page["items"][0]) == set(ClaimSummary.model_fields)
