"""Every model, imported in one place so that Alembic and the tests see the whole schema."""
from .accounts.models import Organisation, OrganisationKind, Role, User  # noqa: F401
from .mail.models import OutboxMessage, OutboxState  # noqa: F401
