"""vividart-admin: staff accounts and API tokens, wherever the web app runs (its database from
VIVIDART_WEB_DATABASE_URL and VIVIDART_WEB_DATABASE_SECRET, as the app reads them). On AWS, run it
in the web app's task (ECS Exec: the command is in terraform/hosting.tf).

    vividart-admin create-staff EMAIL [--name NAME] [--password-stdin]   (else a password is made and printed)
    vividart-admin create-token EMAIL [--name NAME]                       (printed once; only its hash is kept)
    vividart-admin revoke-token TOKEN
    vividart-admin sign-out EMAIL                                         (ends every session of the account)
    vividart-admin ensure-local-staff FILE                                (make up: one account and token, once)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

from photo_jobs.settings import StackSource
from webapp import accounts, credentials
from webapp.db import Database


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
    token = commands.add_parser("create-token", help="an API token for an account (the CLI's)")
    token.add_argument("email")
    token.add_argument("--name", default="cli")
    revoke = commands.add_parser("revoke-token", help="stop a token working")
    revoke.add_argument("token")
    out = commands.add_parser("sign-out", help="end every session of an account")
    out.add_argument("email")
    local = commands.add_parser("ensure-local-staff", help="the local stack's account and token, made once")
    local.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    database = _database()
    try:
        with database.transaction() as conn:
            if args.command == "create-staff":
                password = sys.stdin.readline().rstrip("\n") if args.password_stdin else secrets.token_urlsafe(12)
                made = accounts.create_staff(conn, args.email, password, args.name)
                print(json.dumps({"email": made.email, **({} if args.password_stdin else {"password": password})}))
            elif args.command == "create-token":
                found = accounts.staff_by_email(conn, args.email) or sys.exit(f"no account for {args.email}")
                print(accounts.create_token(conn, found.id, args.name))
            elif args.command == "revoke-token":
                if not accounts.revoke_token(conn, args.token):
                    sys.exit("no such token (or revoked already)")
            elif args.command == "sign-out":
                found = accounts.staff_by_email(conn, args.email) or sys.exit(f"no account for {args.email}")
                accounts.end_sessions(conn, found.id)
            else:
                ensure_local_staff(conn, args.file)
    except accounts.AccountError as error:
        sys.exit(str(error))
    finally:
        database.close()
    return 0


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
