"""Every table, imported in dependency order, so Alembic and tests see the whole schema."""

from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.invoice.models import CreditNote, Installment, Invoice, WriteOff
from cobro.payment.models import Allocation, Payment
from cobro.terms.models import PaymentTerms

__all__ = [
    "Allocation",
    "Company",
    "Contact",
    "CreditNote",
    "Customer",
    "Installment",
    "Invoice",
    "Payment",
    "PaymentTerms",
    "WriteOff",
]
