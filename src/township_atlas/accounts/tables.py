"""The accounts page's list of accounts as a table to read (never a password or its hash).

The table has stable English column keys; the page turns them into zh/en headers with
:func:`township_atlas.text.labels.headers` and :data:`ACCOUNT_HEADERS`.
"""

from __future__ import annotations

import pandas as pd

from township_atlas.accounts import AccountInfo
from township_atlas.text.labels import tr

# Column key -> label key of the header.
ACCOUNT_HEADERS: dict[str, str] = {
    "name": "user_name",
    "role": "role",
    "status": "account_status",
    "changed_at": "changed_at",
    "changed_by": "changed_by",
}


def account_status(info: AccountInfo, lang: str) -> str:
    """Disabled, locked (too many failed log-ins) or active, to read; disabled wins."""
    key = (
        "status_disabled" if info.disabled else "status_locked" if info.locked else "status_active"
    )
    return tr(key, lang)


def account_table(accounts: list[AccountInfo], lang: str) -> pd.DataFrame:
    """One row per account: name, role, status, when and by whom it last changed.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ACCOUNT_HEADERS`; ``changed_at`` to the minute ("2025-01-02 08:30").
    """
    return pd.DataFrame(
        {
            "name": [a.name for a in accounts],
            "role": [tr(f"role_{a.role}", lang) for a in accounts],
            "status": [account_status(a, lang) for a in accounts],
            "changed_at": [a.changed_at.replace("T", " ")[:16] for a in accounts],
            "changed_by": [a.changed_by for a in accounts],
        },
        columns=list(ACCOUNT_HEADERS),
    )
