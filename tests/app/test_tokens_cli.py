"""`claimtrace tokens` and the token `claimtrace up` prints, as subprocesses against the real app."""

from __future__ import annotations

import json
import stat

from tests.conftest import EXAMPLE_REPORTS


def test_create_list_revoke_and_use_a_token(cli, client_for) -> None:
    created = cli("tokens", "create", "--role", "editor", "--name", "ci bot")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("ct_") and "shown only now" in created.stderr
    anonymous = client_for(None)
    auth = {"Authorization": f"Bearer {token}"}
    assert anonymous.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes(), headers=auth).status_code == 201

    listed = [json.loads(line) for line in cli("tokens", "list", "--json").stdout.splitlines()]
    mine = next(t for t in listed if t["name"] == "ci bot")
    assert mine["role"] == "editor" and mine["last_used_at"] and token not in json.dumps(listed)
    table = cli("tokens", "list").stdout
    assert "ci bot" in table and mine["prefix"] in table and token not in table

    assert cli("tokens", "revoke", str(mine["id"])).returncode == 0
    assert anonymous.get("/api/reports", headers=auth).status_code == 401
    again = cli("tokens", "revoke", str(mine["id"]))
    assert again.returncode == 1 and "already revoked" in again.stderr


def test_bad_roles_names_and_ids_are_one_line_errors(cli) -> None:
    for args, message in ((["create", "--role", "root", "--name", "x"], "unknown role"),
                          (["create", "--role", "viewer", "--name", "  "], "1 to 100 characters"),
                          (["revoke", "999"], "does not exist")):
        result = cli("tokens", *args)
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_up_prints_a_local_admin_token_kept_private_in_the_data_dir(cli, settings, client_for, tmp_path) -> None:
    first = cli("up", "--no-serve")
    assert first.returncode == 0, first.stderr
    token = first.stdout.split("API token", 1)[1].split(": ", 1)[1].split()[0]
    path = settings.data_dir / "local-token"
    assert path.read_text().strip() == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert client_for(None).get("/api/tokens", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    again = cli("up", "--no-serve")
    assert token in again.stdout and "kept in" in again.stdout  # the same token on a re-run
    token_id = next(json.loads(line)["id"] for line in cli("tokens", "list", "--json").stdout.splitlines())
    cli("tokens", "revoke", str(token_id))
    replaced = cli("up", "--no-serve")
    assert token not in replaced.stdout and "new in" in replaced.stdout  # a revoked one is replaced
