from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class Template(Base):
    """A company's own wording for one part of one stage's notice on one channel, in one language.

    Parts are "subject", "text" and "html"; what is not customised comes from the built-in
    templates (see `cobro.notice.render`).
    """

    __tablename__ = "template"
    __table_args__ = (UniqueConstraint("company_id", "stage", "channel", "language", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    stage: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(12))
    part: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
