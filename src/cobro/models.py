"""Every table, imported in dependency order, so Alembic and tests see the whole schema."""

from cobro.audit.models import AuditEvent
from cobro.auth.models import ApiToken, LoginAttempt, Membership, PasswordReset, User, WebSession
from cobro.banking.models import BankAccount, PayerLink, Statement, StatementLine
from cobro.banking.sepa_models import Collection, DebitBatch, Mandate
from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.dispute.models import Dispute, DisputeEvidence, DisputeItem
from cobro.fx.models import FxRate
from cobro.idempotency.models import IdempotencyKey
from cobro.interest.models import RatePeriodRow
from cobro.invoice.models import CreditNote, Installment, Invoice, WriteOff
from cobro.legal.models import CaseStep, LegalCase, Placement, PlacementInvoice
from cobro.note.models import Note
from cobro.notice.models import Template
from cobro.outbox.models import Action, Attempt, Document
from cobro.payment.models import Allocation, Payment
from cobro.plan.models import PaymentPlan, PlanInstallment, PlanInvoice
from cobro.policy.models import (
    ChaseSetting,
    ChaseStep,
    CollectionPolicy,
    Hold,
    OptOut,
    PolicyRule,
)
from cobro.promise.models import Promise, PromiseInvoice
from cobro.report.models import ReportMailing
from cobro.scoring.models import (
    CustomerScore,
    Experiment,
    ExperimentMember,
    ForecastWeek,
    InvoiceScore,
    RiskModel,
)
from cobro.setoff.models import SetOff, SetOffBill, VendorBill
from cobro.settings.models import ChannelSetting
from cobro.task.models import Task
from cobro.terms.models import PaymentTerms
from cobro.validation.models import ValidationDispute, ValidationNotice
from cobro.webhook.models import Delivery, WebhookSubscription
from cobro.worklist.models import WorklistBuild, WorklistRow
from cobro.writeoff.models import WriteOffRequest

__all__ = [
    "Action",
    "Allocation",
    "ApiToken",
    "Attempt",
    "AuditEvent",
    "BankAccount",
    "CaseStep",
    "ChannelSetting",
    "Charge",
    "ChaseSetting",
    "ChaseStep",
    "Collection",
    "CollectionPolicy",
    "Company",
    "Contact",
    "CreditNote",
    "Customer",
    "CustomerScore",
    "DebitBatch",
    "Delivery",
    "Dispute",
    "DisputeEvidence",
    "DisputeItem",
    "Document",
    "Experiment",
    "ExperimentMember",
    "ForecastWeek",
    "FxRate",
    "Hold",
    "IdempotencyKey",
    "Installment",
    "Invoice",
    "InvoiceScore",
    "LegalCase",
    "LoginAttempt",
    "Mandate",
    "Membership",
    "Note",
    "OptOut",
    "PasswordReset",
    "PayerLink",
    "Payment",
    "PaymentPlan",
    "PaymentTerms",
    "Placement",
    "PlacementInvoice",
    "PlanInstallment",
    "PlanInvoice",
    "PolicyRule",
    "Promise",
    "PromiseInvoice",
    "RatePeriodRow",
    "ReportMailing",
    "RiskModel",
    "SetOff",
    "SetOffBill",
    "Statement",
    "StatementLine",
    "Task",
    "Template",
    "User",
    "ValidationDispute",
    "ValidationNotice",
    "VendorBill",
    "WebSession",
    "WebhookSubscription",
    "WorklistBuild",
    "WorklistRow",
    "WriteOff",
    "WriteOffRequest",
]
