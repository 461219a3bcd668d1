"""Every table, imported in dependency order, so Alembic and tests see the whole schema."""

from cobro.audit.models import AuditEvent
from cobro.auth.models import ApiToken, LoginAttempt, Membership, PasswordReset, User, WebSession
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.invoice.models import CreditNote, Installment, Invoice, WriteOff
from cobro.notice.models import Template
from cobro.outbox.models import Action, Attempt, Document
from cobro.payment.models import Allocation, Payment
from cobro.policy.models import (
    ChaseSetting,
    ChaseStep,
    CollectionPolicy,
    Hold,
    OptOut,
    PolicyRule,
)
from cobro.task.models import Task
from cobro.terms.models import PaymentTerms

__all__ = [
    "Action",
    "Allocation",
    "ApiToken",
    "Attempt",
    "AuditEvent",
    "ChaseSetting",
    "ChaseStep",
    "CollectionPolicy",
    "Company",
    "Contact",
    "CreditNote",
    "Customer",
    "Document",
    "Hold",
    "Installment",
    "Invoice",
    "LoginAttempt",
    "Membership",
    "OptOut",
    "PasswordReset",
    "Payment",
    "PaymentTerms",
    "PolicyRule",
    "Task",
    "Template",
    "User",
    "WebSession",
    "WriteOff",
]
