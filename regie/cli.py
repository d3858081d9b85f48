"""The `regie` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from regie.settings import Settings

if TYPE_CHECKING:  # the commands import what they need when they run
    from regie.adoption import ImportResult


def main(argv: list[str] | None = None) -> NoReturn:
    try:
        code = _command(argv)
    except SystemExit as stop:  # argparse's, or a command that could not start: its reason
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
        code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
    except KeyboardInterrupt:  # Ctrl-C before a command was ready to stop cleanly
        code = 130
    except BaseException:  # a fault: shown as Python would show it
        traceback.print_exc()
        code = 1
    # Every command has closed what it opened by now, the worker through worker.shutdown(). The
    # Temporal client's Rust threads can still reach into the interpreter while it finalizes,
    # which aborts the process (SIGABRT: a worker stopped cleanly by SIGTERM exited with -6 once
    # in the suite, and so did a `regie run` that could not start). So the process ends here,
    # however the command ended, without that teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


NEEDS_SCHEME = {"run", "worker", "api", "import"}
NEEDS_DATABASE = {"run", "worker", "api", "migrate", "import", "export", "invite",
                  "reset-second-factor", "reconcile", "audit"}


def _command(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="regie", description="Regie grant lifecycle service")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="Temporal dev server, worker and web app, with demo data")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--temporal-port", type=int, default=7233)
    run.add_argument("--ui-port", type=int, default=8233)
    sub.add_parser("worker", help="run a worker against REGIE_TEMPORAL_ADDRESS")
    api = sub.add_parser("api", help="run the web app against REGIE_TEMPORAL_ADDRESS")
    api.add_argument("--host", default="0.0.0.0")
    api.add_argument("--port", type=int, default=8000)
    sub.add_parser("migrate", help="bring the database to the newest migration")
    sub.add_parser("register-search-attributes",
                   help="register Regie's search attributes on a Temporal cluster, and have "
                        "its namespace keep closed workflows' histories for 30 days")
    check = sub.add_parser("check-scheme", help="validate a scheme file")
    check.add_argument("file")
    sub.add_parser("lifecycle-diagram", help="print docs/lifecycle.md from the lifecycle table")
    imp = sub.add_parser("import", help="import grants awarded before Regie (.csv or .xlsx)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true",
                     help="check every row and list every problem; write nothing")
    imp.add_argument("--as", dest="email", default="",
                     help="the programme-team account that imports (required without --dry-run)")
    inv = sub.add_parser("invite", help="invite a member of the programme team, an auditor or "
                                        "an assessor: the first account of a new installation")
    inv.add_argument("email")
    inv.add_argument("--name", default="", help="the name the account form starts with")
    inv.add_argument("--role", default="programme_team",
                     choices=["programme_team", "auditor", "assessor"])
    lost = sub.add_parser("reset-second-factor",
                          help="a team member or auditor who lost their authenticator app "
                               "enrols a new one at their next sign-in")
    lost.add_argument("email")
    exp = sub.add_parser("export", help="write every awarded grant in the import template")
    exp.add_argument("file", help="a .csv or .xlsx file to write")
    rec = sub.add_parser("reconcile", help="compare the read model with every grant's history "
                                           "in Temporal (after a restore of the database)")
    rec.add_argument("--apply", action="store_true",
                     help="apply what the database lacks, as the worker did, and note it in "
                          "the audit log")
    rec.add_argument("--grant", action="append", default=[],
                     help="only this grant (repeatable); default: every grant Temporal holds")
    audit_cmd = sub.add_parser("audit", help="the audit log")
    audit_cmd.add_argument("what", choices=["verify"])
    audit_cmd.add_argument("--grant", action="append", default=[],
                           help="verify only this grant's history (repeatable); default: all")
    audit_cmd.add_argument("--log-only", action="store_true",
                           help="check only the audit log's hash chain, not the histories")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command in NEEDS_SCHEME | NEEDS_DATABASE:
        from regie.preflight import check_database, check_scheme

        if args.command in NEEDS_SCHEME:
            check_scheme(settings)
        if args.command in NEEDS_DATABASE:
            check_database(settings)

    if args.command == "run":
        from regie.devstack import run_stack

        asyncio.run(run_stack(settings, args.port, args.temporal_port, args.ui_port))
    elif args.command == "worker":
        asyncio.run(_worker(settings))
    elif args.command == "api":
        _api(settings, args.host, args.port)
    elif args.command == "migrate":
        from regie.db import migrate

        migrate(settings.database_url)
    elif args.command == "register-search-attributes":
        asyncio.run(_register(settings))
    elif args.command == "check-scheme":
        from domain.scheme import SchemeError
        from regie.schemes import assumptions, load_scheme

        try:
            scheme = load_scheme(args.file)
        except (SchemeError, OSError) as exc:  # a file that is wrong, or none at all
            print(exc, file=sys.stderr)
            return 1
        print(f"{args.file}: ok ({len(scheme.rounds)} rounds, hash {scheme.content_hash[:12]})")
        _print_assumptions(assumptions(Path(args.file).read_text(encoding="utf-8")))
    elif args.command == "import":
        return asyncio.run(_import(settings, args.file, args.dry_run, args.email))
    elif args.command == "export":
        return asyncio.run(_export(settings, args.file))
    elif args.command == "invite":
        return asyncio.run(_invite(settings, args.email, args.name, args.role))
    elif args.command == "reset-second-factor":
        return asyncio.run(_reset_second_factor(settings, args.email))
    elif args.command == "reconcile":
        return asyncio.run(_reconcile(settings, args.grant, args.apply))
    elif args.command == "audit":
        return asyncio.run(_verify_audit(settings, args.grant, args.log_only))
    elif args.command == "lifecycle-diagram":
        from domain.lifecycle import mermaid_diagram

        print("# The grant lifecycle\n\nGenerated by `regie lifecycle-diagram` from "
              "`domain/lifecycle.py`; do not edit by hand.\n\n```mermaid\n"
              f"{mermaid_diagram()}```")
    return 0


def _print_assumptions(found) -> None:
    """The values a scheme file marks as assumptions: the programme confirms each (and removes
    its mark) or changes it before a round that uses it opens."""
    if not found:
        print("no value is marked ASSUMPTION")
        return
    print(f"{len(found)} values are marked ASSUMPTION: no source fixed them; confirm or change "
          "each before a round that uses it opens, then remove its mark")
    for a in found:
        print(f"  line {a.line:>4}  {a.key} = {a.value}" + (f"  ({a.why})" if a.why else ""))


async def connect_patiently(settings: Settings, attempts: int = 60):
    """Connect to Temporal, waiting while it starts or restarts (two minutes at most)."""
    from regie.logging import get_logger
    from regie.preflight import DID_NOT_START
    from regie.temporal import connect

    for attempt in range(attempts):
        try:
            return await connect(settings.temporal_address, settings.temporal_namespace,
                                 settings.sdk_metrics_address)
        except RuntimeError as exc:
            if attempt == attempts - 1:
                raise SystemExit(f"{DID_NOT_START} Temporal at {settings.temporal_address} "
                                 f"did not answer in {attempts * 2} s (REGIE_TEMPORAL_ADDRESS): "
                                 f"{str(exc)[:200]}") from None
            get_logger().warning("temporal.unreachable", address=settings.temporal_address,
                                 error=str(exc)[:200])
            await asyncio.sleep(2)


async def _worker(settings: Settings) -> None:
    from regie.alignment import align_programme
    from regie.db import make_engine, session_factory
    from regie.heap import freeze_startup
    from regie.logging import configure
    from regie.programme import ensure_programme, ensure_retention
    from regie.schemes import load_scheme
    from regie.worker import build_worker, run_until_stopped

    configure(settings.log_format)
    client = await connect_patiently(settings)
    engine = make_engine(settings.database_url, settings.db_pool_size, pre_ping=False)
    sessions, scheme = session_factory(engine), load_scheme(settings.scheme_file)
    async with sessions() as db:  # every round of the scheme has its workflow
        await ensure_programme(db, client, scheme, settings.task_queue)
    await ensure_retention(client, scheme, settings.task_queue)
    worker = build_worker(client, settings, sessions, scheme)
    freeze_startup()

    # once the worker polls, as the rounds and the ledger are asked their state
    await run_until_stopped(worker, lambda: align_programme(sessions, client, scheme))
    await engine.dispose()


def _api(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app
    from regie.heap import freeze_startup
    from regie.logging import configure
    from regie.schemes import load_scheme
    from regie.serving import Server, serve_until, stop_on_signals

    configure(settings.log_format)

    async def serve() -> None:
        client = await connect_patiently(settings)
        app = create_app(settings, load_scheme(settings.scheme_file), client)
        freeze_startup()
        stop = stop_on_signals()
        # log_config=None: uvicorn's lines go through configure()'s handler, in its format
        await serve_until(Server(uvicorn.Config(app, host=host, port=port, log_config=None)),
                          stop)

    asyncio.run(serve())


async def _verify_audit(settings: Settings, references: list[str], log_only: bool) -> int:
    """Check the audit log's hash chain; without --grant, every kept history against its hash
    in the log; then replay every grant's history against this code and derive its verdict
    again. 0 when all holds, 1 when anything does not."""
    from sqlmodel import select

    from regie import histories
    from regie.audit import verify
    from regie.db import make_engine, session_factory
    from regie.records import Application

    engine = make_engine(settings.database_url, settings.db_pool_size)
    altered: list[str] = []
    async with session_factory(engine)() as db:
        problems = await verify(db)
        if not references and not log_only:
            altered = await histories.altered(db)
            references = list((await db.exec(select(Application.reference).where(
                Application.reference.is_not(None),  # an anonymised grant's history is gone
                Application.anonymised_at.is_(None)).order_by(Application.reference))).all())
    await engine.dispose()
    for p in problems:
        print(f"audit entry {p.entry_id}: {p.what}")
    print("audit log intact" if not problems else f"{len(problems)} problem(s) in the audit log")
    for problem in altered:
        print(problem)
    failed = bool(problems or altered)
    if references and not log_only:
        failed = await _verify_grants(settings, references) or failed
    return 1 if failed else 0


async def _verify_grants(settings: Settings, references: list[str]) -> bool:
    """True when a grant's history does not replay or its verdict does not follow again."""
    from temporalio.service import RPCError

    from regie.db import make_engine, session_factory
    from regie.histories import HistoryUnavailable
    from regie.temporal import connect
    from regie.verification import verify_grant

    try:
        client = await connect(settings.temporal_address, settings.temporal_namespace)
    except RuntimeError as exc:
        print(f"Temporal ({settings.temporal_address}): {exc}", file=sys.stderr)
        return True
    failed = False
    engine = make_engine(settings.database_url, settings.db_pool_size)
    for reference in references:
        try:
            async with session_factory(engine)() as db:
                result = await verify_grant(client, db, reference)
        except (RPCError, HistoryUnavailable) as exc:
            print(f"{reference}: no history ({getattr(exc, 'message', exc)})")
            failed = True
            continue
        failed = failed or not result.trustworthy
        print(f"{reference}: {'ok' if result.trustworthy else 'NOT OK'}")
        for line in result.summary():
            print(f"  {line}")
    await engine.dispose()
    return failed


async def _reconcile(settings: Settings, references: list[str], apply: bool) -> int:
    """Name each grant whose read model lacks writes its history holds; with `apply`, catch
    it up. 0 when the database holds (or now holds) every write, 1 when not."""
    from temporalio.service import RPCError

    from regie import audit, reconcile
    from regie.db import make_engine, session_factory
    from regie.histories import HistoryUnavailable
    from regie.logging import get_logger
    from regie.temporal import connect, grant_workflow_id

    try:
        client = await connect(settings.temporal_address, settings.temporal_namespace)
    except RuntimeError as exc:
        print(f"Temporal ({settings.temporal_address}): {exc}", file=sys.stderr)
        return 1
    references = references or await reconcile.grant_references(client)
    engine = make_engine(settings.database_url, settings.db_pool_size)
    sessions = session_factory(engine)
    behind = unresolved = 0
    try:
        for reference in references:
            try:
                async with sessions() as db:
                    drift = await reconcile.compare(client, db, reference)
            except (RPCError, HistoryUnavailable) as exc:
                print(f"{reference}: geen geschiedenis / no history "
                      f"({getattr(exc, 'message', exc)})")
                unresolved += 1
                continue
            if drift is None:
                continue
            behind += 1
            print(drift.describe())
            if not apply or not await reconcile.catch_up(sessions, drift):
                unresolved += 1
                continue
            get_logger(grant=reference, workflow_id=grant_workflow_id(reference),
                       actor=audit.OPERATOR).info(
                "read_model.caught_up", records=[c.seq for c in drift.missed],
                archive=drift.archive is not None, stage=drift.history_stage)
            print(f"  bijgewerkt / caught up: {drift.history_stage}")
    finally:
        await engine.dispose()
    print(f"{len(references)} subsidies vergeleken, {behind} liepen achter, {unresolved} nog "
          f"niet bij / {len(references)} grants compared, {behind} behind, {unresolved} not "
          "caught up")
    return 1 if unresolved else 0


async def _import(settings: Settings, path: str, dry_run: bool, email: str) -> int:
    """Check (and unless a dry run, import) a spreadsheet; 1 when a row has a problem."""
    from pathlib import Path

    from sqlmodel import select

    from domain.lifecycle import Role
    from domain.types import Actor
    from regie import adoption
    from regie.db import make_engine, session_factory
    from regie.records import Person
    from regie.schemes import load_scheme
    from regie.spreadsheet import UnreadableFile, read_table
    from regie.temporal import connect

    try:
        table = read_table(Path(path).read_bytes(), path)
    except (OSError, UnreadableFile) as exc:
        print(exc, file=sys.stderr)
        return 1
    scheme = load_scheme(settings.scheme_file)
    engine = make_engine(settings.database_url, settings.db_pool_size)
    try:
        async with session_factory(engine)() as db:
            person = (await db.exec(select(Person).where(
                Person.email == email.lower(), Person.role == Role.PROGRAMME_TEAM.value,
                Person.active))).first()
            if person is None and not dry_run:
                print("Geef met --as het e-mailadres van een account van het programmateam / "
                      "give a programme-team account's e-mail address with --as",
                      file=sys.stderr)
                return 1
            actor = Actor(user_id=person.id if person else None,
                          name=person.name if person else "dry run", role=Role.PROGRAMME_TEAM)
            client = None if dry_run else await connect(settings.temporal_address,
                                                        settings.temporal_namespace)
            result = await adoption.import_table(
                db, client, scheme, settings.task_queue, table, Path(path).name, actor,
                adoption.local_today(scheme), dry_run=dry_run)
    finally:
        await engine.dispose()
    for problem in result.problems:
        print(problem)
    print(import_summary(result))
    return 1 if result.refused else 0


def import_summary(result: ImportResult) -> str:
    """The import's last line, after the problems. A file with a problem is not imported at
    all, not one row of it, and the line says so instead of counting the rows in order."""
    if result.refused:
        count = len(result.problems)
        nl, en = ("dit probleem", "this problem") if count == 1 else (
            f"deze {count} problemen", f"these {count} problems")
        if result.dry_run:
            return (f"Het bestand kan zo niet worden geïmporteerd: los {nl} op / "
                    f"The file cannot be imported as it is: resolve {en}")
        return (f"Het bestand is niet geïmporteerd, geen enkele rij: los {nl} op en importeer "
                f"het opnieuw / The file was not imported, not one row: resolve {en} and "
                "import it again")
    verb = "te importeren / to import" if result.dry_run else "geïmporteerd / imported"
    return (f"0 probleem/problems; {len(result.new)} {verb}; "
            f"{len(result.unchanged)} ongewijzigd / unchanged")


async def _export(settings: Settings, path: str) -> int:
    from pathlib import Path

    from regie import adoption
    from regie.db import make_engine, session_factory

    engine = make_engine(settings.database_url, settings.db_pool_size)
    async with session_factory(engine)() as db:
        Path(path).write_bytes(await adoption.export_file(db, path))
    await engine.dispose()
    print(f"{path}: ok")
    return 0


async def _invite(settings: Settings, email: str, name: str, role: str) -> int:
    """Invite a person from the command line, with no one signed in: how a new installation gets
    its first programme-team account. Prints the link, which the mail carries too."""
    from sqlmodel import select

    from domain.lifecycle import Role
    from regie import invitations
    from regie.db import make_engine, session_factory
    from regie.records import Person

    email = email.strip().lower()
    if not invitations.EMAIL.match(email):
        print(f"Geen geldig e-mailadres / not a valid e-mail address: {email}", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url, settings.db_pool_size)
    try:
        async with session_factory(engine)() as db:
            if (await db.exec(select(Person).where(Person.email == email))).first():
                print(f"{email} heeft al een account / already has an account", file=sys.stderr)
                return 1
            link = await invitations.invite(
                db, settings, email=email, role=Role(role), name=name.strip(),
                group=invitations.GROUPS[Role(role)], about="accounts", inviter=None)
    finally:
        await engine.dispose()
    print(f"Uitnodiging verstuurd aan / invitation sent to {email} "
          f"({invitations.VALID_DAYS} dagen geldig / valid for {invitations.VALID_DAYS} days):\n"
          f"{link}")
    return 0


async def _reset_second_factor(settings: Settings, email: str) -> int:
    """Forget a person's authenticator app and end their sessions: they enrol a new app at
    their next sign-in, after their password. For an operator who has checked who asks."""
    from sqlalchemy import delete
    from sqlmodel import select

    from regie import audit
    from regie.db import make_engine, session_factory
    from regie.records import Person, WebSession

    engine = make_engine(settings.database_url, settings.db_pool_size)
    try:
        async with session_factory(engine)() as db:
            person = (await db.exec(select(Person).where(
                Person.email == email.strip().lower()))).first()
            if person is None or not person.totp_enabled:
                print(f"Geen account met een tweede factor / no account with a second factor: "
                      f"{email}", file=sys.stderr)
                return 1
            person.totp_secret, person.totp_enabled, person.totp_last_step = "", False, 0
            db.add(person)
            await db.exec(delete(WebSession).where(WebSession.person_id == person.id))
            await db.commit()
            await audit.append(db, audit.OPERATOR, audit.OPERATOR_ROLE, "second_factor_reset",
                               person.role, {"email": person.email})
    finally:
        await engine.dispose()
    print(f"{person.email}: enrolt bij de volgende keer inloggen een nieuwe app / "
          "enrols a new app at the next sign-in")
    return 0


async def _register(settings: Settings) -> None:
    from temporalio.service import RPCError, RPCStatusCode

    from regie.histories import ENGINE_RETENTION
    from regie.temporal import connect, ensure_history_retention, register_search_attributes

    client = await connect(settings.temporal_address, settings.temporal_namespace)
    await register_search_attributes(client, settings.temporal_namespace)
    try:
        await ensure_history_retention(client, settings.temporal_namespace, ENGINE_RETENTION)
    except RPCError as exc:
        if exc.status != RPCStatusCode.PERMISSION_DENIED:
            raise
        raise SystemExit(
            f"Temporal refused to set the retention of namespace {settings.temporal_namespace} "
            f"({exc.message}). Set it to at least {ENGINE_RETENTION.days} days yourself (Temporal "
            "Cloud: the namespace's settings), so Regie can keep each closed grant's history.")


if __name__ == "__main__":
    sys.exit(main())
