from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class ChannelSetting(Base):
    """How one company's messages go out, when it says so itself; every column empty means
    "as the worker's environment says" (COBRO_SMTP_URL, COBRO_MAIL_FROM…), so a company that
    never opens the settings page sends exactly as before.

    Secrets (`smtp_password`, `gateway_token`) are kept as given: the worker needs them in
    clear to log in. They are never shown back, never written to the audit trail, and a copy
    of the table is as sensitive as the server's environment."""

    __tablename__ = "channel_setting"
    __table_args__ = (
        CheckConstraint("smtp_security IN ('plain', 'starttls', 'ssl')", name="smtp_security"),
        CheckConstraint("smtp_port BETWEEN 1 AND 65535", name="smtp_port"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), unique=True)
    mail_from: Mapped[str | None] = mapped_column(String(320))  # "Name <addr>" or "addr"
    smtp_host: Mapped[str | None] = mapped_column(String(255))
    smtp_port: Mapped[int | None] = mapped_column(Integer)
    smtp_security: Mapped[str | None] = mapped_column(String(10))
    smtp_username: Mapped[str | None] = mapped_column(String(320))
    smtp_password: Mapped[str | None] = mapped_column(String(500))
    sms_gateway_url: Mapped[str | None] = mapped_column(String(500))
    whatsapp_gateway_url: Mapped[str | None] = mapped_column(String(500))
    gateway_token: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
