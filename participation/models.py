"""Every model, imported in one place so that Alembic and the tests see the whole schema."""
from .accounts.models import (DecisionBasis, Membership, Organisation,  # noqa: F401
                              OrganisationKind, User, VerificationState)
from .analysis.models import (AnalysisGroup, AnalysisGroupItem, Code, GroupSet,  # noqa: F401
                              ItemCode, NearDuplicate)
from .audit.models import AuditEvent  # noqa: F401
from .comments.models import Comment, CommentRevision, CommentSupport  # noqa: F401
from .contributions.models import Attachment, Contribution, ContributionRevision  # noqa: F401
from .core.mixins import ModerationState  # noqa: F401
from .drafts.models import DraftVersion, Section, SectionLineage  # noqa: F401
from .invitations.models import Invitation, InvitationKind  # noqa: F401
from .jobs.models import Job, JobState  # noqa: F401
from .mail.models import OutboxMessage, OutboxState  # noqa: F401
from .moderation.models import (Disposition, Flag, FlagReason, Response,  # noqa: F401
                                ResponseSection, ResponseTemplate, TargetType)
from .oidc.models import Identity  # noqa: F401
from .notifications.models import NotificationPreference, NotifyMode, ReplyNotice  # noqa: F401
from .outcomes.models import FinalDocument  # noqa: F401
from .redaction.models import Redaction, RedactionState  # noqa: F401
from .processes.models import (Audience, ModerationMode, Process, ProcessMember,  # noqa: F401
                               Round, RoundKind, RoundState, Theme)
from .ratings.models import Rating  # noqa: F401
from .review.models import MemberCheck, ReviewLink, ReviewReply, ReviewSubject, Verdict  # noqa: F401
