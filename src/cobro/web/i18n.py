"""The interface in English and Spanish. The language comes from the browser's Accept-Language
for now (TODO(issue 4): the signed-in user's language first, User.language).

The catalog is a dict: the English text is the key and the fallback, so a missing translation
shows English, never a blank. Babel chooses the language among those offered."""

from __future__ import annotations

from collections.abc import Callable

from babel.core import negotiate_locale

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "es")

Gettext = Callable[[str], str]

CATALOG: dict[str, dict[str, str]] = {
    "es": {
        "Collections management": "Gestión de cobros",
        "Skip to content": "Saltar al contenido",
        "Sign in": "Iniciar sesión",
        "Sign out": "Cerrar sesión",
        "Signed in": "Sesión iniciada",
        "Email": "Correo electrónico",
        "Password": "Contraseña",
        "Company": "Empresa",
        "Role": "Rol",
        "Switch company": "Cambiar de empresa",
        "Switch": "Cambiar",
        "admin": "administrador",
        "manager": "responsable",
        "collector": "gestor de cobros",
        "viewer": "lector",
        "auditor": "auditor",
        "sign-in failed: wrong email or password, or the account is locked for a while": (
            "no se pudo iniciar sesión: correo o contraseña incorrectos, o la cuenta está "
            "bloqueada durante un tiempo"
        ),
        "this account has no role in any company yet: ask an administrator": (
            "esta cuenta aún no tiene rol en ninguna empresa: pídalo a un administrador"
        ),
        "The dashboard, worklist and customer pages are not built yet.": (
            "El panel, la lista de trabajo y las páginas de clientes aún no están hechos."
        ),
        "The JSON API already lists this company's customers:": (
            "La API JSON ya lista los clientes de esta empresa:"
        ),
        "JSON API documentation": "Documentación de la API JSON",
        # the outbox
        "Outbox": "Bandeja de salida",
        "Filter by status": "Filtrar por estado",
        "All": "Todas",
        "Not before": "No antes de",
        "Attempts": "Intentos",
        "Last error": "Último error",
        "Retry": "Reintentar",
        "Send now": "Enviar ahora",
        "Cancel": "Cancelar",
        "No actions here.": "No hay acciones aquí.",
        # the dashboard
        "Dashboard": "Panel",
        "As of": "A fecha de",
        "Open receivables": "Pendiente de cobro",
        "Overdue": "Vencido",
        "Overdue share": "Porcentaje vencido",
        "Not yet due": "No vencido",
        "1–30 days": "1–30 días",
        "31–60 days": "31–60 días",
        "61–90 days": "61–90 días",
        "Over 90 days": "Más de 90 días",
        "Aging": "Antigüedad de la deuda",
        "Nothing is open.": "No hay nada pendiente.",
        "Today's cycle": "Ciclo de hoy",
        "Status": "Estado",
        "Kind": "Tipo",
        "Actions": "Acciones",
        "No actions for today yet.": "Aún no hay acciones para hoy.",
        "Open tasks": "Tareas abiertas",
        "Failed messages": "Mensajes fallidos",
        "No failed messages.": "No hay mensajes fallidos.",
        "Day": "Día",
        "Customer": "Cliente",
        "queued": "en cola",
        "sending": "enviando",
        "sent": "enviado",
        "failed": "fallido",
        "cancelled": "cancelado",
        "skipped": "omitido",
        "email": "correo electrónico",
        "letter": "carta",
        "registered_letter": "carta certificada",
        "call_task": "llamada",
        "internal_task": "tarea interna",
        "fee": "recargo",
        "interest_claim": "reclamación de intereses",
        "escalate_legal": "vía judicial",
        "escalate_agency": "agencia de cobros",
        "credit_block": "bloqueo de crédito",
        "Page not found": "Página no encontrada",
        "There is no page at this address.": "No hay ninguna página en esta dirección.",
        "Back to the home page": "Volver a la página de inicio",
        "Database unavailable": "Base de datos no disponible",
        "Something went wrong": "Algo ha salido mal",
        "The error has been logged. Please try again later.": (
            "El error ha quedado registrado. Inténtelo de nuevo más tarde."
        ),
        "Request refused": "Solicitud rechazada",
        "Invalid input": "Datos no válidos",
        "Conflict": "Conflicto",
        "Error": "Error",
        # the debtor portal
        "Link not valid": "Enlace no válido",
        "This link is not valid or has expired. Please use the link in our latest message, "
        "or contact us for a new one.": (
            "Este enlace no es válido o ha caducado. Use el enlace de nuestro último mensaje "
            "o pídanos uno nuevo."
        ),
        "Your account": "Su cuenta",
        "Open invoices": "Facturas pendientes",
        "Invoice": "Factura",
        "Due date": "Vencimiento",
        "Amount due": "Importe pendiente",
        "Days overdue": "Días de retraso",
        "Payment reference": "Referencia de pago",
        "Total": "Total",
        "Open": "Pendiente",
        "Payments received, not yet applied": "Pagos recibidos aún no aplicados",
        "To pay": "A pagar",
        "You have no open invoices. Thank you!": "No tiene facturas pendientes. ¡Gracias!",
        "How to pay": "Cómo pagar",
        "Pay by bank transfer, with each invoice's payment reference:": (
            "Pague por transferencia bancaria, con la referencia de pago de cada factura:"
        ),
        "Beneficiary": "Beneficiario",
        "I've paid": "Ya he pagado",
        "Reference of your payment": "Referencia de su pago",
        "Paid on": "Fecha de pago",
        "Which invoices? (none chosen: all of them)": (
            "¿Qué facturas? (si no elige ninguna: todas)"
        ),
        "Enter the reference of your payment.": "Indique la referencia de su pago.",
        "The reference is too long (100 characters at most).": (
            "La referencia es demasiado larga (100 caracteres como máximo)."
        ),
        "Enter the day you paid (YYYY-MM-DD).": "Indique la fecha de pago (AAAA-MM-DD).",
        "The day you paid cannot be in the future.": "La fecha de pago no puede ser futura.",
        "Choose among your open invoices.": "Elija entre sus facturas pendientes.",
        "Thank you": "Gracias",
        "We have noted your payment with reference": "Hemos anotado su pago con la referencia",
        "We will not send reminders while we check it with our bank.": (
            "No le enviaremos recordatorios mientras lo comprobamos con nuestro banco."
        ),
        "Back to your account": "Volver a su cuenta",
        # the customer pages
        "Customers": "Clientes",
        "Search": "Buscar",
        "Name": "Nombre",
        "Country": "País",
        "Segment": "Segmento",
        "Grade": "Calificación",
        "Credit blocked": "Crédito bloqueado",
        "Previous": "Anterior",
        "Next": "Siguiente",
        "No customers found.": "No se encontraron clientes.",
        "On hold": "En espera",
        "Hold": "Bloqueo",
        "Open items": "Partidas abiertas",
        "Stage": "Etapa",
        "Timeline": "Cronología",
        "No messages yet.": "Aún no hay mensajes.",
        "Ledger": "Movimientos",
        "Reference": "Referencia",
        "Amount": "Importe",
        "No entries yet.": "Aún no hay movimientos.",
        "Contacts": "Contactos",
        "No contacts.": "Sin contactos.",
        "invoice": "factura",
        "payment": "pago",
        "credit_note": "nota de crédito",
        "write_off": "cancelación",
        "retry": "reintento",
        "billing": "facturación",
        "dispute": "disputa",
        "promise": "promesa de pago",
        "plan": "plan de pagos",
        "paid_claim": "pago declarado",
        "manual": "manual",
        "agency": "agencia",
        "Issue date": "Fecha de emisión",
        "Settled on": "Saldada el",
        "Payments applied": "Pagos aplicados",
        "Chase steps": "Etapas de reclamación",
        "Reached on": "Alcanzada el",
        "Delivered on": "Entregada el",
        "Not chased yet.": "Aún no reclamada.",
    },
}


def negotiate(accept_language: str | None) -> str:
    """The best of LANGUAGES for an Accept-Language header ("es-ES,es;q=0.9,en;q=0.8" → "es")."""
    return negotiate_locale(preferred(accept_language), LANGUAGES, sep="-") or DEFAULT_LANGUAGE


def preferred(accept_language: str | None) -> list[str]:
    """The languages of an Accept-Language header, most wanted first; each also as its bare
    language ("es-MX" then "es"), since Babel matches whole tags only."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.lower()))
    tags: list[str] = []
    for _, _, tag in sorted(weighted):
        for candidate in (tag, tag.split("-")[0]):
            if candidate not in tags:
                tags.append(candidate)
    return tags


def translator(language: str) -> Gettext:
    messages = CATALOG.get(language, {})

    def gettext(text: str) -> str:
        return messages.get(text, text)

    return gettext
