"""The local account store and command: hashing, roles on every account action, lockout
with a test clock, restarts, and that no password or hash leaks into logs or listings."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from township_atlas.accounts import (
    AccountError,
    AccountsFileError,
    AccountStore,
    LoginDisabled,
    LoginFailed,
    LoginLocked,
    LoginThrottled,
)
from township_atlas.accounts import store as store_module
from township_atlas.accounts.cli import main as cli_main
from township_atlas.authz import ANONYMOUS, ROLES, PermissionDenied, User

from .accounts_helpers import (
    CONSOLE,
    FAST_HASHER_ARGS,
    PASSWORDS,
    ROLE_OF,
    Clock,
    fast_hasher,
    make_store,
    seed_accounts,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> AccountStore:
    store = make_store(tmp_path / "accounts" / "accounts.json", clock)
    seed_accounts(store)
    return store


def test_passwords_are_stored_only_as_argon2id_hashes(store):
    text = store.path.read_text(encoding="utf-8")
    for password in PASSWORDS.values():
        assert password not in text
    users = json.loads(text)["users"]
    assert all(u["password_hash"].startswith("$argon2id$") for u in users.values())
    # Salted: the same password twice gives two different hashes.
    assert fast_hasher().hash("same-password") != fast_hasher().hash("same-password")


def test_files_are_private_and_no_temporary_file_is_left(store):
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert not list(store.path.parent.glob(".accounts-*"))


def test_right_password_logs_in_with_the_account_role(store):
    for name, password in PASSWORDS.items():
        user = store.authenticate(name, password)
        assert (user.name, user.role, user.source) == (name, ROLE_OF[name], "local")
    assert store.authenticate("  ADA ", PASSWORDS["ada"]).name == "ada"  # one name, any case


def test_wrong_password_and_unknown_name_get_the_same_answer(store, clock):
    with pytest.raises(LoginFailed) as wrong:
        store.authenticate("ada", "not-the-password")
    clock.advance(3600)
    with pytest.raises(LoginFailed) as unknown:
        store.authenticate("nobody", "not-the-password")
    assert wrong.value.message("zh") == unknown.value.message("zh") == "用户名或密码错误。"


def test_an_unknown_name_costs_a_hash_check_like_a_known_one(store):
    checked = []

    class CountingHasher(store_module.PasswordHasher):
        def verify(self, hash, password):
            checked.append(hash)
            return super().verify(hash, password)

    store.hasher = CountingHasher(**FAST_HASHER_ARGS)
    for name in ("ada", "nobody"):
        with pytest.raises(LoginFailed):
            store.authenticate(name, "wrong-password")
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)


ACCOUNT_ACTIONS = {
    "add": lambda s, actor: s.add("new", "a-long-password", "viewer", actor=actor),
    "disable": lambda s, actor: s.set_disabled("vic", True, actor=actor),
    "enable": lambda s, actor: s.set_disabled("vic", False, actor=actor),
    "reset": lambda s, actor: s.reset_password("vic", "another-password", actor=actor),
    "role": lambda s, actor: s.set_role("vic", "planner", actor=actor),
}


@pytest.mark.parametrize("action", sorted(ACCOUNT_ACTIONS))
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_each_role_on_each_account_action(store, role, action):
    actor = ANONYMOUS if role == "anonymous" else User("x", role, "local")
    before = store.path.read_bytes()
    if role == "admin":
        ACCOUNT_ACTIONS[action](store, actor)
    else:
        with pytest.raises(PermissionDenied):
            ACCOUNT_ACTIONS[action](store, actor)
        assert store.path.read_bytes() == before


def test_changes_record_who_made_them(store):
    store.set_role("vic", "planner", actor=User("ada", "admin", "local"))
    info = store.get("vic")
    assert (info.role, info.changed_by, info.created_by) == ("planner", "ada", "console:tester")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda s: s.add("bad name!", "a-long-password", "viewer", actor=CONSOLE), "bad_name"),
        (lambda s: s.add("ada", "a-long-password", "viewer", actor=CONSOLE), "exists"),
        (lambda s: s.add("new", "short", "viewer", actor=CONSOLE), "too_short"),
        (lambda s: s.add("new", "a-long-password", "boss", actor=CONSOLE), "bad_role"),
        (lambda s: s.reset_password("ghost", "a-long-password", actor=CONSOLE), "unknown"),
        (lambda s: s.set_disabled("ada", True, actor=CONSOLE), "last_admin"),
        (lambda s: s.set_role("ada", "planner", actor=CONSOLE), "last_admin"),
    ],
)
def test_bad_changes_are_refused_with_a_reason(store, change, key):
    with pytest.raises(AccountError) as refused:
        change(store)
    assert key in refused.value.key


def test_a_chinese_user_name_works(store):
    store.add("张三", "zhangsan-password", "planner", actor=CONSOLE)
    assert store.authenticate("张三", "zhangsan-password").role == "planner"


def test_disabled_accounts_cannot_log_in_and_their_sessions_end(store):
    epoch = store.get("pia").session_epoch
    assert store.active_user("pia", epoch) is not None
    store.set_disabled("pia", True, actor=CONSOLE)
    assert store.active_user("pia", store.get("pia").session_epoch) is None
    with pytest.raises(LoginDisabled):
        store.authenticate("pia", PASSWORDS["pia"])
    with pytest.raises(LoginFailed):  # a wrong password says nothing about the account
        store.authenticate("pia", "wrong-password")


def test_a_password_reset_ends_existing_logins(store):
    epoch = store.get("pia").session_epoch
    store.reset_password("pia", "a-brand-new-password", actor=CONSOLE)
    assert store.active_user("pia", epoch) is None
    assert store.authenticate("pia", "a-brand-new-password").name == "pia"


# --- lockout ------------------------------------------------------------------------
def fail(store: AccountStore, name: str = "pia") -> None:
    with pytest.raises(LoginFailed):
        store.authenticate(name, "wrong-password")


@pytest.mark.parametrize("name", ["pia", "nobody"])  # unknown names are treated the same
def test_failures_are_slowed_more_each_time_then_locked(tmp_path, clock, name):
    store = make_store(tmp_path / "a.json", clock, max_failures=5, lock_seconds=15 * 60)
    seed_accounts(store)
    for delay in (1, 2, 4, 8):
        fail(store, name)
        with pytest.raises(LoginThrottled) as throttled:  # even the right password waits
            store.authenticate(name, PASSWORDS.get(name, "x"))
        assert throttled.value.retry_after == pytest.approx(delay)
        assert f"{delay} 秒" in throttled.value.message("zh")
        clock.advance(delay)
    fail(store, name)  # the fifth failure locks
    for minutes_left in (15, 8):  # the right password does not open a lock either
        with pytest.raises(LoginLocked) as locked:
            store.authenticate(name, PASSWORDS.get(name, "x"))
        assert f"请 {minutes_left} 分钟后再试" in locked.value.message("zh")
        clock.advance(7 * 60)
    clock.advance(60)  # 15 minutes after the lock
    if name == "pia":
        assert store.authenticate("pia", PASSWORDS["pia"]).name == "pia"
        assert not store.get("pia").locked
    else:
        fail(store, name)  # a fresh streak: a plain failure, not a lock


def test_lockout_survives_a_restart(tmp_path, clock):
    path = tmp_path / "a.json"
    store = make_store(path, clock, max_failures=2, lock_seconds=600)
    seed_accounts(store)
    fail(store)
    clock.advance(1)
    fail(store)
    restarted = make_store(path, clock, max_failures=2, lock_seconds=600)
    with pytest.raises(LoginLocked):
        restarted.authenticate("pia", PASSWORDS["pia"])
    assert restarted.get("pia").locked


def test_success_and_reset_clear_the_failures(store, clock):
    fail(store)
    clock.advance(1)
    assert store.authenticate("pia", PASSWORDS["pia"])
    fail(store)  # a new streak starts at one: the wait is 1 s again
    with pytest.raises(LoginThrottled) as throttled:
        store.authenticate("pia", PASSWORDS["pia"])
    assert throttled.value.retry_after == pytest.approx(1)
    store.reset_password("pia", "reset-by-the-admin", actor=CONSOLE)
    assert store.authenticate("pia", "reset-by-the-admin")


def test_an_old_failure_is_forgotten(store, clock):
    for _ in range(3):
        fail(store)
        clock.advance(10)
    clock.advance(16 * 60)
    fail(store)
    with pytest.raises(LoginThrottled) as throttled:
        store.authenticate("pia", PASSWORDS["pia"])
    assert throttled.value.retry_after == pytest.approx(1)


def test_guessing_names_cannot_grow_the_file_without_bound(store, clock, monkeypatch):
    monkeypatch.setattr(store_module, "_MAX_FAILURE_RECORDS", 3)
    for i in range(10):
        fail(store, f"guess{i}")
        clock.advance(1)
    text = store.path.read_text()
    failures = json.loads(text)["failures"]
    assert len(failures) == 3 * 3  # the newest records; the client's is always among them
    assert "guess" not in text


def test_a_damaged_file_is_a_plain_error(tmp_path, clock):
    path = tmp_path / "a.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(AccountsFileError, match="JSON"):
        make_store(path, clock).accounts()


def test_a_hash_made_with_old_settings_is_upgraded_on_login(tmp_path, clock):
    path = tmp_path / "a.json"
    seed_accounts(make_store(path, clock))
    stronger = AccountStore(
        path, hasher=store_module.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    )
    stronger.authenticate("pia", PASSWORDS["pia"])
    assert "t=2" in json.loads(path.read_text())["users"]["pia"]["password_hash"]


# --- nothing secret leaks -------------------------------------------------------------
def test_no_password_or_hash_in_logs_or_listings(tmp_path, clock, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "a.json"
    store = make_store(path, clock)
    seed_accounts(store)
    fail(store)
    clock.advance(5)
    store.authenticate("pia", PASSWORDS["pia"])
    with pytest.raises(LoginFailed):  # a password typed into the name box
        store.authenticate(PASSWORDS["vic"], PASSWORDS["vic"])
    store.reset_password("vic", "a-secret-reset-password", actor=CONSOLE)
    assert cli_main(["--file", str(path), "list"]) == 0
    hashes = [u["password_hash"] for u in json.loads(path.read_text())["users"].values()]
    listing = capsys.readouterr().out + repr(store.accounts())
    for text in (caplog.text, listing):
        for secret in [*PASSWORDS.values(), "a-secret-reset-password", *hashes, "$argon2"]:
            assert secret not in text
    assert "pia" in listing and "failed login for pia" in caplog.text


# --- the command ----------------------------------------------------------------------
def run_cli(*args: str, password: str | None = None, path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TOWNSHIP_ATLAS_ACCOUNTS_FILE": str(path)}
    return subprocess.run(
        [sys.executable, "-m", "township_atlas.accounts", *args],
        input=None if password is None else password + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_command_round_trip_add_disable_enable_reset(tmp_path, clock):
    path = tmp_path / "accounts" / "accounts.json"
    first = run_cli(
        "add", "admin", "--role", "admin", "--password-stdin", password="first-admin-pw", path=path
    )
    assert first.returncode == 0, first.stderr
    assert "已添加账户“admin”(管理员)" in first.stdout
    assert (
        run_cli(
            "add",
            "pia",
            "--role",
            "planner",
            "--password-stdin",
            password="planner-pw-1",
            path=path,
        ).returncode
        == 0
    )
    store = AccountStore(path, clock=clock)
    assert store.authenticate("admin", "first-admin-pw").role == "admin"

    assert run_cli("disable", "pia", path=path).returncode == 0
    with pytest.raises(LoginDisabled):
        store.authenticate("pia", "planner-pw-1")
    assert run_cli("enable", "pia", path=path).returncode == 0
    assert (
        run_cli("reset", "pia", "--password-stdin", password="planner-pw-2", path=path).returncode
        == 0
    )
    with pytest.raises(LoginFailed):
        store.authenticate("pia", "planner-pw-1")
    clock.advance(5)
    assert store.authenticate("pia", "planner-pw-2").role == "planner"

    listing = run_cli("list", path=path)
    assert "pia\tplanner\tactive" in listing.stdout and "console:" in listing.stdout
    for secret in ("first-admin-pw", "planner-pw-2", "$argon2"):
        assert secret not in listing.stdout + listing.stderr


def test_command_refuses_passwords_on_the_command_line_and_weak_passwords(tmp_path):
    path = tmp_path / "a.json"
    on_argv = run_cli("add", "admin", "--role", "admin", "--password", "in-the-history", path=path)
    assert on_argv.returncode == 2 and not path.exists()
    weak = run_cli(
        "add", "admin", "--role", "admin", "--password-stdin", password="short", path=path
    )
    assert weak.returncode == 1 and "密码至少需要 10 个字符" in weak.stderr
    assert not AccountStore(path).has_accounts()


# --- issue 15: names typed kept only as keyed hashes; throttling nobody can abuse -----
def test_the_accounts_file_never_contains_the_attempted_name(store, clock, caplog):
    typed = "MyS3cret-Passw0rd!"  # a password typed into the name box
    before = store.path.read_bytes()
    with caplog.at_level(logging.DEBUG), pytest.raises(LoginFailed):
        store.authenticate(typed, "whatever", "203.0.113.9")
    text = store.path.read_text(encoding="utf-8")
    assert text != before.decode()  # the failure was counted
    for form in (typed, typed.lower(), "203.0.113.9"):
        assert form not in text and form not in caplog.text
    secret = store.secret_path
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and secret.parent == store.path.parent
    # The same name from the same client is counted under the same key (it slows down).
    clock.advance(1)
    with pytest.raises(LoginFailed):
        store.authenticate(typed, "whatever", "203.0.113.9")
    with pytest.raises(LoginThrottled):
        store.authenticate(typed, "whatever", "203.0.113.9")


def test_a_strangers_failures_do_not_lock_the_admin_out_of_their_own_client(tmp_path, clock):
    store = make_store(tmp_path / "a.json", clock, max_failures=5, lock_seconds=15 * 60)
    seed_accounts(store)
    stranger, admin = "203.0.113.9", "198.51.100.7"
    for _ in range(5):
        with pytest.raises(LoginFailed):
            store.authenticate("ada", "guess-guess-guess", stranger)
        clock.advance(8)  # past the per-account wait each time
    with pytest.raises(LoginLocked):  # the stranger is locked out of ada for 15 minutes
        store.authenticate("ada", PASSWORDS["ada"], stranger)
    # ada, from her own client, waits at most login_account_max_delay_seconds (8 s).
    assert store.authenticate("ada", PASSWORDS["ada"], admin).name == "ada"
    assert store.get("ada").locked  # the page shows a client is locked out; she may reset it
    with pytest.raises(LoginLocked):
        store.authenticate("ada", PASSWORDS["ada"], stranger)


def test_right_after_a_strangers_failure_the_admin_waits_seconds_not_minutes(tmp_path, clock):
    store = make_store(tmp_path / "a.json", clock, max_failures=5, lock_seconds=15 * 60)
    seed_accounts(store)
    for _ in range(10):  # hammering as fast as the per-account wait allows
        with pytest.raises((LoginFailed, LoginThrottled)):
            store.authenticate("ada", "guess-guess-guess", "203.0.113.9")
        clock.advance(1)
    with pytest.raises(LoginThrottled) as waiting:
        store.authenticate("ada", PASSWORDS["ada"], "198.51.100.7")
    assert waiting.value.retry_after <= 8
    clock.advance(waiting.value.retry_after)
    assert store.authenticate("ada", PASSWORDS["ada"], "198.51.100.7").name == "ada"


@pytest.mark.parametrize("clients", [1, 20])
def test_twenty_sessions_get_a_few_guesses_a_minute_not_hundreds(tmp_path, clock, clients):
    """20 sessions trying ada as fast as they can for a minute (8.5 checks/s before):
    from one address, or from 20."""
    store = make_store(tmp_path / "a.json", clock, max_failures=5, lock_seconds=15 * 60)
    seed_accounts(store)
    checked = 0
    for tick in range(600):  # every 0.1 s, one session after another
        client = f"203.0.113.{tick % clients}"
        try:
            store.authenticate("ada", "guess-guess-guess", client)
        except LoginFailed:
            checked += 1  # a password actually tried
        except (LoginThrottled, LoginLocked):
            pass
        clock.advance(0.1)
    # One address: locked after 5. Many: the per-account wait, 1+2+4+8 s then every 8 s.
    assert checked <= (5 if clients == 1 else 12), checked


def test_one_client_trying_many_names_is_locked(tmp_path, clock):
    store = make_store(
        tmp_path / "a.json", clock, max_failures=5, lock_seconds=600, client_max_failures=20
    )
    seed_accounts(store)
    for i in range(20):
        with pytest.raises(LoginFailed):
            store.authenticate(f"someone{i}", "guess-guess-guess", "203.0.113.9")
    with pytest.raises(LoginLocked):
        store.authenticate("pia", PASSWORDS["pia"], "203.0.113.9")
    assert store.authenticate("pia", PASSWORDS["pia"], "198.51.100.7").name == "pia"


def test_an_admin_reset_clears_every_clients_lock(tmp_path, clock):
    store = make_store(tmp_path / "a.json", clock, max_failures=2, lock_seconds=600)
    seed_accounts(store)
    for _ in range(2):
        with pytest.raises(LoginFailed):
            store.authenticate("pia", "guess-guess-guess", "203.0.113.9")
        clock.advance(8)
    assert store.get("pia").locked
    store.set_disabled("pia", False, actor=CONSOLE)
    assert not store.get("pia").locked
    assert store.authenticate("pia", PASSWORDS["pia"], "203.0.113.9").name == "pia"


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("          ", "password_blank"),
        ("\t \n" * 5, "password_blank"),
        ("aaaaaaaaaa", "password_one_character"),
        ("0000000000000", "password_one_character"),
        ("short", "password_too_short"),
        ("password123", "password_guessable"),
        ("qwertyuiop", "password_guessable"),
        ("1234567890", "password_guessable"),
        ("iloveyou12", "password_guessable"),
        ("woaini1314", "password_guessable"),
        ("abcdefghij", "password_guessable"),
        ("Password1!", "password_guessable"),
        ("zhangsanfeng", "password_has_name"),
        ("zhangsanfeng2024", "password_guessable"),
    ],
)
def test_weak_passwords_are_refused_with_what_to_do(store, password, key):
    before = store.path.read_bytes()
    with pytest.raises(AccountError) as refused:
        store.add("zhangsanfeng", password, "viewer", actor=CONSOLE)
    assert refused.value.key == key
    zh, en = refused.value.message("zh"), refused.value.message("en")
    assert zh and en and zh != en
    assert store.path.read_bytes() == before  # nothing stored
    if "zhangsanfeng" not in password:  # those are weak for that name only
        with pytest.raises(AccountError) as reset:
            store.reset_password("pia", password, actor=CONSOLE)
        assert reset.value.key == key
        assert store.path.read_bytes() == before
    assert store.authenticate("pia", PASSWORDS["pia"]).name == "pia"


def test_good_passwords_are_accepted(store):
    for i, password in enumerate(
        ["柳树湾村2024年种苹果", "violet harbour lantern", "Tq8#vLp2!mZx"]
    ):
        store.add(f"new{i}", password, "viewer", actor=CONSOLE)
        assert store.authenticate(f"new{i}", password).name == f"new{i}"
