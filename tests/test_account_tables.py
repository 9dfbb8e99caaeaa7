"""The accounts page's table, built without Streamlit."""

from __future__ import annotations

from township_atlas.accounts import AccountInfo
from township_atlas.accounts.tables import ACCOUNT_HEADERS, account_status, account_table


def _info(name: str, *, disabled: bool = False, locked: bool = False) -> AccountInfo:
    return AccountInfo(
        name=name,
        role="planner",
        disabled=disabled,
        locked=locked,
        session_epoch=0,
        created_at="2025-01-01T00:00:00",
        created_by="admin",
        changed_at="2025-01-02T08:30:59.123",
        changed_by="root",
    )


def test_account_table_shows_role_status_and_change_time_to_the_minute():
    table = account_table([_info("pia"), _info("bo", locked=True)], "en")
    assert list(table.columns) == list(ACCOUNT_HEADERS)
    row = table.iloc[0]
    assert (row["name"], row["changed_at"], row["changed_by"]) == (
        "pia",
        "2025-01-02 08:30",
        "root",
    )
    assert row["role"] != "planner"  # the role's name, not its code
    assert table["status"].tolist() == ["Active", "Locked"]


def test_a_disabled_account_reads_disabled_even_when_also_locked():
    assert account_status(_info("x", disabled=True, locked=True), "zh") == "已停用"
    assert account_status(_info("x", locked=True), "zh") == "已锁定"
