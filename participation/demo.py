"""Demo data for `flask --app participation demo` and `make run`. Running it twice changes nothing."""
from __future__ import annotations

import sqlalchemy as sa

from .accounts.models import Organisation, OrganisationKind, Role, User, name_key
from .accounts.services import create_user
from .extensions import db

DEMO_ADMIN_EMAIL = "admin@assen.example"

#: Stakeholders of the kind the Economische Agenda names: businesses, education, government.
DEMO_ORGANISATIONS = [
    ("Bedrijvenkring Assen", OrganisationKind.civil_society, "ondernemersvereniging"),
    ("Drenth Logistiek BV", OrganisationKind.business, "logistiek"),
    ("Zorggroep Drenthe", OrganisationKind.business, "zorg"),
    ("Drenthe College", OrganisationKind.education, "beroepsonderwijs"),
    ("Hanzehogeschool Groningen", OrganisationKind.education, "hoger onderwijs"),
    ("Provincie Drenthe", OrganisationKind.government, "overheid"),
    ("Werkplein Drentsche Aa", OrganisationKind.government, "arbeidsmarkt"),
    ("Centrummanagement Assen", OrganisationKind.civil_society, "binnenstad"),
    ("TT Circuit Assen", OrganisationKind.business, "vrijetijdseconomie"),
    ("Sensor Universe", OrganisationKind.other, "innovatie"),
]


def load_demo(admin_password: str) -> tuple[str, str] | None:
    """Create what is missing. Returns the admin's credentials when the admin was created now."""
    existing_keys = set(db.session.scalars(sa.select(Organisation.name_key)))
    for name, kind, sector in DEMO_ORGANISATIONS:
        if name_key(name) not in existing_keys:
            db.session.add(Organisation(name=name, name_key=name_key(name), kind=kind,
                                        sector=sector))
    if db.session.scalar(sa.select(User.id).where(User.email == DEMO_ADMIN_EMAIL)) is None:
        create_user(DEMO_ADMIN_EMAIL, admin_password, Role.admin, name="Demo beheerder")
        return DEMO_ADMIN_EMAIL, admin_password
    db.session.flush()
    return None
