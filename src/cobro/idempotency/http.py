"""The idempotency key at the HTTP edge, for any POST that moves money:

    @router.post("", status_code=201, response_model=ThingOut, responses=…409, 422…)
    def create_thing(
        session: DbSession, caller: Worker, body: ThingIn, once: Idempotent
    ) -> Response:
        return once.answer(session, caller.company_id, lambda: make_thing(session, …), 201)

The `Idempotency-Key` header is required (1 to 200 printable ASCII characters). The first
request with a key runs `act` and its answer (status and JSON body) is kept with the key in the
same transaction; the same request again gets that answer back, byte for byte, with
`Idempotent-Replayed: true`, and moves nothing; another request with the key is a 422 naming
the header. Only answers that moved money are kept: a refused request (4xx) leaves no key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header
from fastapi import Request as HttpRequest
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from cobro.idempotency.rules import HEADER, KEY_MAX, KEY_PATTERN, check_key, fingerprint
from cobro.idempotency.service import Answer, KeyedRequest, claim, remember

REPLAYED = "Idempotent-Replayed"
KEY_DESCRIPTION = (
    f"Required. A key of the client's choosing (1 to {KEY_MAX} printable ASCII characters, "
    "a UUID is a good one), new for every operation: the same request sent again with the "
    f"same key is answered as the first time (header `{REPLAYED}: true`) and moves no money "
    "again; a different request with a used key is refused (422)."
)
REPLAYED_HEADER_DOC = {
    REPLAYED: {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


@dataclass(frozen=True)
class IdempotentRequest:
    request: KeyedRequest

    def answer(
        self, session: Session, company_id: int, act: Callable[[], Any], status_code: int = 201
    ) -> Response:
        """The stored answer to this key, or `act()`'s result as JSON, kept with the key."""
        stored = claim(session, company_id, self.request)
        if stored is not None:
            return Response(
                stored.body,
                status_code=stored.status,
                media_type="application/json",
                headers={REPLAYED: "true"},
            )
        response = JSONResponse(jsonable_encoder(act()), status_code=status_code)
        body = bytes(response.body).decode()
        remember(session, company_id, self.request.key, Answer(status_code, body))
        return response


async def idempotent_request(
    request: HttpRequest,
    key: Annotated[
        str,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=KEY_MAX,
            pattern=KEY_PATTERN,
            description=KEY_DESCRIPTION,
        ),
    ],
) -> IdempotentRequest:
    body = await request.body()  # read once by Starlette and kept: the endpoint gets it too
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return IdempotentRequest(
        KeyedRequest(check_key(key), fingerprint(request.method, path, body), request.method, path)
    )


Idempotent = Annotated[IdempotentRequest, Depends(idempotent_request)]
