"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from app.models.auth import ApiToken
from app.models.base import Base
from app.models.jobs import Job
from app.models.reports import Citation, Claim, ClaimMention, Report
from app.models.sources import Passage, Source
from app.models.verification import Evidence, Verification

__all__ = ["ApiToken", "Base", "Citation", "Claim", "ClaimMention", "Job", "Passage", "Report", "Source", "Evidence", "Verification"]
