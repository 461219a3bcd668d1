"""The one error the notice package raises: a template that cannot be saved or rendered."""

from __future__ import annotations

from cobro.errors import CobroError


class NoticeError(CobroError):
    """A template refused when saved, or one that failed for a customer when rendered.

    The message names the stage, channel, language and the template's own problem, so that the
    person fixing it knows where to look; the daily run catches it per customer and goes on.
    """

    status = 422
