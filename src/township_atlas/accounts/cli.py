"""The account command, run on the server by whoever administers the app.

    python -m township_atlas.accounts add NAME --role admin     # the first administrator
    python -m township_atlas.accounts add NAME --role planner
    python -m township_atlas.accounts disable NAME
    python -m township_atlas.accounts enable NAME
    python -m township_atlas.accounts reset NAME                # a new password
    python -m township_atlas.accounts role NAME viewer|planner|admin
    python -m township_atlas.accounts list

A password is never taken from the command line (it would sit in the shell history and
in the process list): it is asked for twice without echo, or read from one line of
standard input with ``--password-stdin`` (for scripts). Changes are recorded as made by
``console:<os user>``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from township_atlas import settings
from township_atlas.accounts import policy_from_settings
from township_atlas.accounts.errors import AccountError
from township_atlas.accounts.store import AccountStore
from township_atlas.authz import ROLES, User
from township_atlas.errors import AtlasError
from township_atlas.text.labels import tr


def _both(key: str, *, role: str = "", **fields: object) -> str:
    """A message in Chinese, then English; a role is named in each language."""
    zh, en = (
        tr(key, lang).format(role=tr(f"role_{role}", lang) if role else "", **fields)
        for lang in ("zh", "en")
    )
    return f"{zh} / {en}"


def console_user() -> User:
    """The person at the server console, who administers the accounts file."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        name = "unknown"
    return User(name, "admin", "console")


def read_password(from_stdin: bool) -> str:
    """A new password: one line of standard input, or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"{tr('new_password', 'zh')} / {tr('new_password', 'en')}: ")
    second = getpass.getpass(f"{tr('password_again', 'zh')} / {tr('password_again', 'en')}: ")
    if first != second:
        raise AccountError("password_mismatch")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m township_atlas.accounts",
        description="Township Atlas local accounts / 乡村党建产业地图 本地账户",
        allow_abbrev=False,  # "--password x" must not pass as "--password-stdin"
    )
    parser.add_argument(
        "--file",
        type=Path,
        help=f"accounts file (default: setting {settings.ENV_PREFIX}ACCOUNTS_FILE)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an account / 添加账户", allow_abbrev=False)
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    reset = commands.add_parser("reset", help="set a new password / 重置密码", allow_abbrev=False)
    reset.add_argument("name")
    for command in (add, reset):
        command.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
    for name, text in (("disable", "disable / 停用"), ("enable", "enable / 启用")):
        commands.add_parser(name, help=text).add_argument("name")
    role = commands.add_parser("role", help="change the role / 更改角色")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    commands.add_parser("list", help="list accounts (never passwords) / 列出账户")
    return parser


def _list(store: AccountStore) -> None:
    accounts = store.accounts()
    print(f"{store.path}: {len(accounts)}")
    for info in accounts:
        status = "disabled" if info.disabled else "locked" if info.locked else "active"
        print(
            f"{info.name}\t{info.role}\t{status}\t{info.changed_at}\t{info.changed_by}",
        )


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 1 with a message on standard error otherwise."""
    args = _parser().parse_args(argv)
    actor = console_user()
    try:
        path = args.file.expanduser().resolve() if args.file else settings.accounts_file()
        store = AccountStore(path, policy=policy_from_settings())
        if args.command == "add":
            info = store.add(args.name, read_password(args.password_stdin), args.role, actor=actor)
            print(_both("account_added", name=info.name, role=info.role))
        elif args.command == "reset":
            store.reset_password(args.name, read_password(args.password_stdin), actor=actor)
            print(_both("password_was_reset", name=args.name))
        elif args.command in ("disable", "enable"):
            store.set_disabled(args.name, args.command == "disable", actor=actor)
            print(_both(f"account_{args.command}d", name=args.name))
        elif args.command == "role":
            store.set_role(args.name, args.role, actor=actor)
            print(_both("role_changed", name=args.name, role=args.role))
        else:
            _list(store)
    except AtlasError as exc:
        print(f"{exc.message_zh}\n{exc.message_en}", file=sys.stderr)
        return 1
    return 0
