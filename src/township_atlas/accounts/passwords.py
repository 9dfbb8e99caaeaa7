"""What a password must be, and the canonical form of a user name (both checked before an
account is stored: :mod:`township_atlas.accounts.store`)."""

from __future__ import annotations

import unicodedata

from zxcvbn import zxcvbn

from township_atlas.accounts.errors import AccountError

# NIST SP 800-63B (5.1.1.2): at least 8 characters, no composition rules, and checked
# against values known to be commonly used or compromised. We ask for 10: the accounts can
# edit the township's data and sit behind a web login that anyone can reach, and ten
# characters still fit a short phrase. The blocklist check is zxcvbn (Dropbox's estimator,
# maintained as the zxcvbn package): it ships the common-password, name and word lists and
# spots repeats, sequences, keyboard runs and dates, offline.
PASSWORD_MIN_LENGTH = 10
# zxcvbn's score 3: "safely unguessable", at least 10^8 guesses.
PASSWORD_MIN_SCORE = 3
_ZXCVBN_MAX = 72  # zxcvbn's run time grows with length; past this, length alone suffices
PASSWORD_MAX_LENGTH = 1024  # hashing a megabyte "password" would be a cheap way to load the server


def normalise_name(name: str) -> str:
    """The canonical form of a user name: NFKC, trimmed, lower case.

    One person cannot get around a lock by typing ``Alice`` instead of ``alice``.
    """
    return unicodedata.normalize("NFKC", name).strip().lower()


def check_password(password: str, name: str = "") -> None:
    """Raise :class:`AccountError` (saying what to do) unless ``password`` is acceptable
    for the account ``name``: not blank, 10 to 1024 characters, not one character
    repeated, not the user name, and not common or easy to guess (zxcvbn score >= 3, with
    the user name among the words it tries, so "name2024!" fails too).
    """
    if not password.strip():
        raise AccountError("password_blank")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError("password_too_short", n=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError("password_too_long", n=PASSWORD_MAX_LENGTH)
    if len(set(password)) == 1:
        raise AccountError("password_one_character")
    key = normalise_name(name)
    if key and normalise_name(password) in (key, key[::-1]):
        raise AccountError("password_has_name")  # the name with a few additions: zxcvbn
    inputs = [key, "township", "atlas", "xiangcun", "dangjian"] if key else ["township", "atlas"]
    if len(password) <= _ZXCVBN_MAX and zxcvbn(password, user_inputs=inputs)["score"] < (
        PASSWORD_MIN_SCORE
    ):
        raise AccountError("password_guessable")
