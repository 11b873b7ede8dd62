"""A page's form, read only once it may be: the CSRF guard first, then a bounded body.

The console's forms are ``application/x-www-form-urlencoded``; nothing it shows uploads a
file. So a multipart body (whose parser would store parts, perhaps on disk) or another
type is refused with a 415 before a byte of it is read, a body larger than
:data:`MAX_FORM_BYTES` with a 413 while reading it, and the token is checked on the parsed
fields before any route sees them. A token in the ``X-CSRF-Token`` header is checked
before the body is read at all.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from fieldsync.web._csrf import FIELD, HEADER, Csrf

__all__ = ["MAX_FORM_BYTES", "read_form"]

MAX_FORM_BYTES = 256 * 1024
"""The largest form body the console reads: a sync of 200 mapped rows is about 20 KB."""

_FORM_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: Request, csrf: Csrf) -> FormData:
    """The request's form fields, once the origin and the CSRF token are checked.

    Raises:
        CsrfRefused: another site, or the token is missing or wrong.
        HTTPException: 415 for a body that is not a urlencoded form, 413 for one larger
            than :data:`MAX_FORM_BYTES`.
    """
    csrf.check_origin(request)
    header = request.headers.get(HEADER)
    if header is not None:
        csrf.check(request, header)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    length = request.headers.get("content-length", "")
    if media_type != _FORM_TYPE and (media_type or (length.isdigit() and int(length) > 0)):
        raise HTTPException(415, "The console takes forms as application/x-www-form-urlencoded.")
    if length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise HTTPException(413, "The form is too large.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "The form is too large.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "The form is not UTF-8.") from None
    fields: list[tuple[str, str | UploadFile]] = list(parse_qsl(text, keep_blank_values=True))
    form = FormData(fields)
    if header is None:
        csrf.check(request, form.get(FIELD))
    return form
