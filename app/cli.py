"""The ``wanjia`` command: ``run``, ``demo``, ``create-user``, ``db`` and what packages add."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, shell_command
from flask_migrate import upgrade

from app import create_app
from app import tls as tls_setup
from app.doctor_https import tls_fix


@click.group(
    cls=FlaskGroup,
    create_app=create_app,
    add_default_commands=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """万家卫士 Wanjia Watch: neighbourhood watch for community police rooms."""


main.add_command(shell_command)


def _check_demo_passwords(host: str, demo: bool) -> None:
    """Police-room accounts on the demo password (printed in the README) are anyone's: on a
    network address they need ``--demo``, said out loud; production refuses them outright."""
    from volunteers.queries import police_accounts_with_password

    production = current_app.config["PRODUCTION"]
    if production and demo:
        raise click.ClickException("--demo is not for production")
    if not production and (demo or tls_setup.is_loopback(host)):
        return
    weak = police_accounts_with_password(current_app.config["DEMO_PASSWORD"])
    if not weak:
        return
    if production:
        raise click.ClickException(
            "production refuses to start: these police-room accounts still use the demo "
            f"password, change them first: {', '.join(weak)}"
        )
    raise click.ClickException(
        f"not serving on {host}: these police-room accounts still use the demo password that "
        f"the README prints, so anyone on the network could log in as them: {', '.join(weak)}\n"
        "  to show the demo to people on this network: add --demo (pages then say 演示数据 / "
        "demo data)\n  for real use: a fresh instance (WANJIA_INSTANCE_PATH) with accounts made "
        "by `wanjia create-user`"
    )


def _certificate(app: Flask, host: str, more: list[str] | None = None) -> tls_setup.Certificate:
    """The pair to serve; a made one names the public URL's host too, so phones accept it."""
    public_host = urlsplit(app.config.get("PUBLIC_URL") or "").hostname
    instance = Path(app.instance_path)
    cert, key = app.config["TLS_CERT"], app.config["TLS_KEY"]
    try:
        names = [host, *(more or []), *filter(None, [public_host])]
        return tls_setup.certificate(instance, cert, key, names)
    except (ValueError, OSError) as exc:
        operator = bool(cert or key)
        what = f"WANJIA_TLS_CERT={cert} and WANJIA_TLS_KEY={key}" if operator else "its own pair"
        raise click.ClickException(
            f"HTTPS cannot start with {what}: {exc}\n  fix: {tls_fix(instance, operator)}"
        ) from exc


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not run the embedded Celery worker and beat.")
@click.option(
    "--tls/--no-tls",
    default=None,
    help="HTTPS (default: on for any address but loopback; phones need it for location).",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Serve the demo data on a network address although police-room accounts still use "
    "the demo password; every page says so. Refused in production.",
)
def run_command(host: str, port: int, no_worker: bool, tls: bool | None, demo: bool) -> None:
    """Migrate the database, then serve the site and Socket.IO (and, embedded, Celery).
    With HTTPS on, plain HTTP to the same port is redirected to HTTPS. On an address other
    than loopback, police-room accounts on the demo password need --demo."""
    from app import serving

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # typed as the app
    try:
        limits = serving.limits_for(app)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    ssl_context = None
    if tls is not False and tls_setup.needs_tls(host, bool(tls)):
        cert = _certificate(app, host)
        ssl_context = serving.tls_context(str(cert.cert_path), str(cert.key_path))
        app.config.update(
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
            TLS_FINGERPRINT=cert.fingerprint,
            TLS_AUTHORITY=str(cert.authority_path) if cert.authority_path else None,
        )
        made = "made now, " if cert.generated else ""
        trusted = cert.authority_path or cert.cert_path
        what = "authority phones install" if cert.authority_path else "certificate"
        click.echo(f"HTTPS {what} ({made}{trusted}) SHA-256 fingerprint:\n  {cert.fingerprint}")
    upgrade()
    _check_demo_passwords(host, demo)
    app.config["DEMO_BANNER"] = demo
    if app.config["CELERY_EMBEDDED"] and not no_worker:
        from app.worker import start_embedded

        start_embedded(app.extensions["celery"])
    scheme = "https" if ssl_context else "http"
    click.echo(f"万家卫士 Wanjia Watch listening on {host}:{port} (instance: {app.instance_path})")
    for address in serving.addresses_to_open(host):
        click.echo(f"  open {scheme}://{address}:{port}/")
    if not app.config.get("PUBLIC_URL") and host not in tls_setup.LOOPBACK_HOSTS:
        click.echo("  set WANJIA_PUBLIC_URL to the address phones use: posters encode it")
    if not demo:
        base = (
            app.config.get("PUBLIC_URL")
            or f"{scheme}://{serving.addresses_to_open(host)[0]}:{port}"
        )
        _echo_setup_link(base)
    # What Flask-SocketIO's threading mode runs (Werkzeug's threaded server), built here so
    # that one port can take both HTTPS and the plain-HTTP redirect.
    serving.serve(app, host, port, ssl_context, limits)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5101, show_default=True, type=int)
@click.option(
    "--proxies",
    default=1,
    show_default=True,
    type=click.IntRange(0, 5),
    help="Proxies in front (nginx) whose X-Forwarded-For and -Proto are believed.",
)
@click.option("--access-log", is_flag=True, help="Also log every request as gunicorn sees it.")
@click.option("--demo", is_flag=True, help="As for `wanjia run`: demo data on a network address.")
def serve_command(host: str, port: int, proxies: int, access_log: bool, demo: bool) -> None:
    """The scaled mode's production server: one gunicorn process with one gevent worker, behind
    nginx (TLS there); start several on PostgreSQL and Redis (README, "Deployment"). Migrate
    first with `wanjia db upgrade`: processes starting together must not race to migrate."""
    import datetime as dt

    from app import production
    from app.doctor import check_database

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # typed as the app
    problems = production.scaled_mode_problems(app.config)
    if problems:
        raise click.ClickException(
            "wanjia serve runs the scaled mode; for one machine use `wanjia run`:\n  "
            + "\n  ".join(problems)
        )
    database = check_database(app, dt.datetime.now(dt.UTC))[0]
    if database.level != "ok":
        raise click.ClickException(f"{database.message}\n  fix: {database.fix}")
    _check_demo_passwords(host, demo)
    if demo:
        os.environ["WANJIA_DEMO_BANNER"] = "true"
    click.echo(
        f"万家卫士 Wanjia Watch (gunicorn, gevent) on {host}:{port}, behind {proxies} proxies"
    )
    production.exec_gunicorn(production.gunicorn_argv(host, port, access_log), proxies)


@main.command("nginx-config")
@click.option("--upstream", "upstreams", multiple=True, required=True, help="host:port (repeat).")
@click.option("--listen", default="443", show_default=True, help="nginx's HTTPS address or port.")
@click.option("--http-listen", default="80", show_default=True, help="Redirected to HTTPS; '' off.")
@click.option("--certificate", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--key", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--workers", default="auto", show_default=True)
def nginx_config_command(
    upstreams: tuple[str, ...],
    listen: str,
    http_listen: str,
    certificate: Path,
    key: Path,
    run_dir: Path,
    workers: str,
) -> None:
    """Print nginx's configuration for these `wanjia serve` processes (README, "Deployment")."""
    from app.production import nginx_config

    try:
        click.echo(
            nginx_config(
                upstreams=list(upstreams),
                listen=listen,
                certificate=certificate.resolve(),
                key=key.resolve(),
                run_dir=run_dir.resolve(),
                http_listen=http_listen or None,
                max_body_bytes=current_app.config["MAX_CONTENT_LENGTH"],
                workers=workers,
            )
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("certificate")
@click.option("--host", "hosts", multiple=True, required=True, help="A name phones use (repeat).")
def certificate_command(hosts: tuple[str, ...]) -> None:
    """Make (or keep) the instance's own certificate for nginx to serve; print its paths. Phones
    install the authority from the set-up page (or /tls/certificate.pem)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # typed as the app
    cert = _certificate(app, hosts[0], list(hosts[1:]))
    click.echo(f"certificate {cert.cert_path}\nkey {cert.key_path}")
    if cert.authority_path:
        click.echo(f"authority {cert.authority_path}\nfingerprint {cert.fingerprint}")


def _echo_setup_link(base: str) -> bool:
    """While the server has no station, print the one-time link that sets it up (the first
    admin, the station, its police areas); say whether it did."""
    from app.uow import unit_of_work
    from volunteers import setup

    with unit_of_work(write=False) as uow:  # ends its read: the server's threads start next
        if setup.is_set_up(uow.session):
            return False
    token = setup.new_link_token(current_app.config["SECRET_KEY"])
    hours = int(setup.LINK_MAX_AGE.total_seconds() // 3600)
    link = f"{base.rstrip('/')}/setup/{token}"
    click.echo(
        f"this server is not set up yet: open this link (valid {hours} h, once) to create the "
        f"first administrator, the police station and its areas:\n  {link}"
    )
    return True


@main.command("setup-link")
def setup_link_command() -> None:
    """Print a fresh one-time set-up link while the server has no police station yet; it opens
    at WANJIA_PUBLIC_URL (else at 127.0.0.1:5000, this machine only)."""
    upgrade()
    base = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
    if not _echo_setup_link(base):
        raise click.ClickException(
            "this server is already set up: log in with the administrator's account"
        )


@main.command("demo")
def demo_command() -> None:
    """Migrate, then seed the demo police area (idempotent) and print a login for each role."""
    from app import demo_second_area
    from app.demo import AREA_NAME, DEMO_LOGINS, seed_demo

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("the demo data is not for production")
    upgrade()
    created = seed_demo()
    click.echo("demo station " + ("seeded" if created else "already there"))
    password = current_app.config["DEMO_PASSWORD"]
    for area, logins in (
        (AREA_NAME, DEMO_LOGINS),
        (demo_second_area.AREA_NAME, demo_second_area.LOGINS),
    ):
        click.echo(f"{area} (password {password}):")
        for role, phone in logins.items():
            click.echo(f"  {role:<12} {phone}")


@main.command("doctor")
def doctor_command() -> None:
    """Check the setup phones and officers rely on; print each finding with a fix (exit 1 on FAIL).

    Public URL reachable, TLS valid for it, clock, database, broker, fonts for posters, free disk.
    """
    from app.doctor import run_checks

    findings = run_checks(current_app._get_current_object())  # type: ignore[attr-defined]
    for finding in findings:
        click.echo(f"{finding.level.upper():<4} {finding.check}: {finding.message}")
        if finding.fix:
            click.echo(f"       fix: {finding.fix}")
    if any(finding.level == "fail" for finding in findings):
        raise click.exceptions.Exit(1)


@main.command("worker", context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker_command(celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker (scaled mode); extra arguments go to `celery worker`."""
    celery_app = current_app.extensions["celery"]
    celery_app.worker_main(["worker", "--loglevel=INFO", *celery_args])


@main.command("beat", context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def beat_command(celery_args: tuple[str, ...]) -> None:
    """Run Celery beat, the periodic-job clock (scaled mode: exactly one per site)."""
    celery_app = current_app.extensions["celery"]
    celery_app.start(["beat", "--loglevel=INFO", *celery_args])
