"""schemathesis over /openapi.json against the real app in process: every check, every phase
(examples, coverage, fuzzing, stateful), a fixed seed and a small budget; zero failures.

The app runs on a real database holding the sample reports, with reads locked (AUTH=on) so the
auth checks mean something, and an admin token so every operation is reachable. (schemathesis'
pytest plugin does not run under pytest 9, so this drives its engine, as its CLI does.)
Excluded: the server-sent events stream, which stays open while its job is queued (no worker
runs here); tests/app/test_jobs.py covers it.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, from_schema
from schemathesis.engine.events import EngineFinished, FatalError, NonFatalError, ScenarioFinished

from app.main import create_app
from tests.conftest import make_token

SEED = 20261123
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]  # schemathesis' default, 5xx removed
# Validity no JSON Schema can state, so a schema-valid request may still get its documented 4xx:
SEMANTIC = [
    ("GET", "/api/claims", "400", "a cursor is valid only if the server issued it"),
    ("POST", "/api/reports", "422", "the text must parse as a report (the error names the line)"),
    ("POST", "/api/claims/{claim_id}/replications", "422", "the claim must be replicable, the spec must pass "
                                                          "validation and the path/compute policy"),
]
BUDGET = 10  # examples per operation and phase: CI time grows linearly with it


def run_schemathesis(app, token: str) -> tuple[list[str], int]:
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": BUDGET, "database": "none"},
        "checks": {"enabled": True, "positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        "operations": [{"include-method": method, "include-path": path, "checks": {
            "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, status]}}}
            for method, path, status, _reason in SEMANTIC],
        "phases": {"enabled": True},
        "max-failures": 50,
    })
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config).exclude(path_regex=r"/events$")
    problems, scenarios = [], 0
    for event in from_schema(schema).execute():
        if isinstance(event, ScenarioFinished):
            scenarios += 1
            if event.status in (Status.FAILURE, Status.ERROR):
                for case_id, checks in event.recorder.checks.items():
                    problems += [describe(event.recorder, case_id, check) for check in checks
                                 if check.status == Status.FAILURE]
                if event.status == Status.ERROR:
                    problems.append(f"{event.label}: error")
        elif isinstance(event, NonFatalError):
            problems.append(f"{event.label}: {event.info.format()[:500]}")
        elif isinstance(event, FatalError):
            problems.append(f"fatal: {event.exception!r}")
        elif isinstance(event, EngineFinished):
            break
    return sorted(set(problems)), scenarios


def describe(recorder, case_id: str, check) -> str:
    """One failure: the check, the request that failed it and the response."""
    case = recorder.cases[case_id].value
    response = recorder.find_response(case_id=case_id)
    failure = check.failure_info.failure if check.failure_info else None
    request = (f"{case.method} {case.formatted_path} query={case.query} headers="
               f"{ {k: v for k, v in (case.headers or {}).items() if k.lower() != 'authorization'} } "
               f"body={str(case.body)[:200]!r} media={case.media_type}")
    answer = f"{response.status_code} {response.text[:200]!r}" if response is not None else "no response"
    return f"{check.name}: {failure.title if failure else ''}\n  {request}\n  -> {answer}"


@pytest.mark.slow
def test_api_conforms_to_its_schema(settings, ingested) -> None:
    locked = settings.model_copy(update={"auth": "on"})
    problems, scenarios = run_schemathesis(create_app(locked), make_token(locked, "admin", "schemathesis"))
    assert scenarios >= 25
    assert not problems, "\n".join(problems)
