"""Imports every model module so that the metadata knows every table."""
from distribusi.auth.models import ApiToken, User  # noqa: F401
from distribusi.custody import ChainHead, CustodyEvent  # noqa: F401
from distribusi.intake.models import Document  # noqa: F401
from distribusi.models import Counter, CourierPartner, Office  # noqa: F401
from distribusi.recap.models import Parcel, Recap  # noqa: F401
from distribusi.letters.models import CoverLetter  # noqa: F401
from distribusi.handover.models import Handover  # noqa: F401
from distribusi.courier.models import DeliveryPhoto, ScanRecord  # noqa: F401
from distribusi.returns.models import ReturnBatch  # noqa: F401
from distribusi.notify.models import InboundMessage, OutboxMessage  # noqa: F401
from distribusi.courier.delivery_codes import DeliveryCode  # noqa: F401
from distribusi.admin.models import AuditEntry  # noqa: F401
from distribusi.operations.models import RetentionRun  # noqa: F401
from distribusi.privacy.models import AccessEvent, AccessSubject, DigestKey, TrailAnswer, TrailRequest  # noqa: F401
from distribusi.complaints.models import Complaint, ComplaintEvent  # noqa: F401
from distribusi.reports.facts import FailureFact, ParcelFact  # noqa: F401
from distribusi.reports import upkeep  # noqa: F401,E402  (keeps those facts with every custody event and photo)
