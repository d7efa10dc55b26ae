"""Commands about people."""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import select

from app.errors import DomainError
from app.roles import Role
from app.uow import unit_of_work
from volunteers import services
from volunteers.models import Community
from volunteers.routes import bp


@bp.cli.command("create-user")
@click.option("--name", required=True, help="Full name shown to colleagues.")
@click.option("--phone", required=True, help="11-digit mobile number; it is the login.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.OFFICER.value)
@click.password_option(
    help="Asked for when not given. At least 6 characters; for police-room roles (officer, "
    "dispatcher, admin) at least 10 and not a common password."
)
@click.option("--community-id", type=int, default=None, help="Defaults to the first community.")
def create_user_command(
    name: str, phone: str, role: str, password: str, community_id: int | None
) -> None:
    """Create an account of any role (the first officer or admin, typically)."""
    with unit_of_work() as uow:
        if community_id is None:
            community_id = uow.session.scalar(select(Community.id).order_by(Community.id).limit(1))
        try:
            user = services.create_user(
                uow,
                name=name,
                phone=phone,
                password=password,
                role=role,
                placement=services.Placement(community_id=community_id),
                hash_method=current_app.config.get("PASSWORD_HASH_METHOD"),
            )
        except DomainError as error:
            raise click.ClickException(f"{error.code}: {error.text()}") from error
        uow.commit()
    click.echo(f"created {user.role} {user.name} ({user.phone}), id {user.id}")
