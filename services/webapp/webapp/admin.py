"""vividart-admin: staff accounts and API tokens, wherever the web app runs (its database from
VIVIDART_WEB_DATABASE_URL and VIVIDART_WEB_DATABASE_SECRET, as the app reads them). On AWS, run it
in the web app's task (ECS Exec: the command is in terraform/hosting.tf).

    vividart-admin create-staff EMAIL [--name NAME] [--password-stdin]   (else a password is made and printed)
    vividart-admin list-staff
    vividart-admin create-token EMAIL [--name NAME] [--expires-days N]    (printed once; only its hash is kept)
    vividart-admin list-tokens EMAIL                                      (ids, names, created, last used, expiry)
    vividart-admin revoke-token ID                                        (or the token's text)
    vividart-admin sign-out EMAIL                                         (ends every session of the account)
    vividart-admin set-password EMAIL [--password-stdin]                  (ends its sessions, tokens and streams)
    vividart-admin disable-staff EMAIL / enable-staff EMAIL               (disabling ends them too)
    vividart-admin photos rebuild [--repair]                              (compare the photos' rows with S3's records)
    vividart-admin ensure-local-staff FILE                                (make up: one account and token, once)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from photo_jobs.aws import client
from photo_jobs.settings import StackSource
from webapp import credentials
from webapp.adapters.catalog import Catalog
from webapp.db import Database
from webapp.services import accounts, photos


def _database() -> Database:
    url = os.environ.get("VIVIDART_WEB_DATABASE_URL")
    if not url:
        sys.exit("set VIVIDART_WEB_DATABASE_URL to the web app's database")
    secret_id = os.environ.get("VIVIDART_WEB_DATABASE_SECRET", "")
    database = Database(url, max_size=1,
                        credentials=credentials.database_secret(StackSource().from_environment(), secret_id)).open()
    database.migrate()
    return database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vividart-admin", description=__doc__.split("\n\n")[0].replace("\n", " "))
    commands = parser.add_subparsers(dest="command", required=True)
    staff = commands.add_parser("create-staff", help="a staff account that signs in with email and password")
    staff.add_argument("email")
    staff.add_argument("--name", default="")
    staff.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    commands.add_parser("list-staff", help="every account, and whether it is disabled")
    token = commands.add_parser("create-token", help="an API token for an account (the CLI's)")
    token.add_argument("email")
    token.add_argument("--name", default="cli")
    token.add_argument("--expires-days", type=int, help="the token stops working after this many days")
    listed = commands.add_parser("list-tokens", help="an account's API tokens (never their text)")
    listed.add_argument("email")
    revoke = commands.add_parser("revoke-token", help="stop a token working: its id (list-tokens), or its text")
    revoke.add_argument("token")
    out = commands.add_parser("sign-out", help="end every session of an account")
    out.add_argument("email")
    password = commands.add_parser("set-password", help="a new password; every session and token of the account ends")
    password.add_argument("email")
    password.add_argument("--password-stdin", action="store_true", help="read it from stdin (else one is made and printed)")
    disable = commands.add_parser("disable-staff", help="no more sign-in; every session, token and stream ends")
    disable.add_argument("email")
    enable = commands.add_parser("enable-staff", help="undo disable-staff (sessions and tokens stay ended)")
    enable.add_argument("email")
    rows = commands.add_parser("photos", help="the photos' rows (projected from the processor's events)")
    rows.add_argument("action", choices=["rebuild"])
    rows.add_argument("--repair", action="store_true", help="make the rows say what S3's job records say")
    local = commands.add_parser("ensure-local-staff", help="the local stack's account and token, made once")
    local.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    database = _database()
    if args.command == "photos":
        try:
            return rebuild(database, args.repair)
        finally:
            database.close()
    try:
        with database.transaction() as conn:
            run(conn, args)
    except accounts.AccountError as error:
        sys.exit(str(error))
    finally:
        database.close()
    return 0


def _account(conn, email: str) -> accounts.Staff:
    return accounts.staff_by_email(conn, email) or sys.exit(f"no account for {email}")


def _when(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def run(conn, args) -> None:
    if args.command == "create-staff":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else secrets.token_urlsafe(12)
        made = accounts.create_staff(conn, args.email, password, args.name)
        print(json.dumps({"email": made.email, **({} if args.password_stdin else {"password": password})}))
    elif args.command == "list-staff":
        for person in accounts.all_staff(conn):
            print(json.dumps({"email": person.email, "name": person.name, "disabled": person.disabled}))
    elif args.command == "create-token":
        expires = datetime.now(UTC) + timedelta(days=args.expires_days) if args.expires_days else None
        print(accounts.create_token(conn, _account(conn, args.email).id, args.name, expires))
    elif args.command == "list-tokens":
        for row in accounts.tokens(conn, _account(conn, args.email).id):
            print(json.dumps({"id": row["id"], "name": row["name"], "created_at": _when(row["created_at"]),
                              "last_used_at": _when(row["last_used_at"]), "expires_at": _when(row["expires_at"]),
                              "revoked_at": _when(row["revoked_at"])}))
    elif args.command == "revoke-token":
        done = (accounts.revoke_token_by_id(conn, None, int(args.token)) if args.token.isdigit()
                else accounts.revoke_token(conn, args.token))
        if not done:
            sys.exit("no such token (or revoked already)")
    elif args.command == "sign-out":
        accounts.sign_out(conn, _account(conn, args.email).id)
    elif args.command == "set-password":
        new = sys.stdin.readline().rstrip("\n") if args.password_stdin else secrets.token_urlsafe(12)
        accounts.set_password(conn, _account(conn, args.email).id, new)
        if not args.password_stdin:
            print(json.dumps({"email": args.email.strip().lower(), "password": new}))
    elif args.command == "disable-staff":
        accounts.disable(conn, _account(conn, args.email).id)
    elif args.command == "enable-staff":
        accounts.enable(conn, _account(conn, args.email).id)
    else:
        ensure_local_staff(conn, args.file)


def rebuild(database, repair: bool) -> int:
    """Compare the photos' rows with S3's job records (the source of truth): print the difference
    as JSON; with --repair, make the rows say what S3 says. Exit 1 if they differed and stay so."""
    current = StackSource().current()
    if not current.deployed:
        sys.exit("no deployed stack in this environment's settings (VIVIDART_STACK_FILE or the SSM parameter)")
    found = photos.rebuild(database, client("s3", current), current, Catalog(), repair)
    print(json.dumps({"missing": found.missing, "extra": found.extra, "changed": found.changed,
                      "repaired": repair}, indent=2))
    return 1 if found.total and not repair else 0


def ensure_local_staff(conn, file: Path) -> None:
    """The local stack's staff account and API token: made on the first `make up` of a database,
    kept in FILE (the run folder, never committed) for `make outputs`."""
    email = "studio@vividart.local"
    staff = accounts.staff_by_email(conn, email)
    if file.exists() and staff:
        return
    password = secrets.token_urlsafe(12)
    if staff is None:
        staff = accounts.create_staff(conn, email, password, "VividArt Studio")
    else:  # a database that outlived its file: a new password, so the file tells the truth
        accounts.set_password(conn, staff.id, password)
    token = accounts.create_token(conn, staff.id, "local stack")
    file.write_text(json.dumps({"staff_email": email, "staff_password": password, "api_token": token}, indent=2))
    file.chmod(0o600)


if __name__ == "__main__":
    sys.exit(main())
