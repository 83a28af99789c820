"""
Conditional requests on one token or model (RFC 9110): an ETag on the answers that show it,
`If-Match` on every change to it, `If-None-Match` on its GET.

The ETag is a digest of the object's representation, so it changes whenever anything in the
answer does (its use, `last_used_at`, included) and stays the same while nothing does. An
`If-Match` is checked by the service, on the row it has locked for the change, inside the
change's own transaction: a change that lands after the client's read and before its write is
answered 412, never overwritten.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import Precondition, Stale


def etag_of(representation: Mapping) -> str:
    """A strong ETag for a representation: the same for the same answer, whatever the order."""
    canonical = json.dumps(representation, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def _listed(header: str, etag: str, *, weak: bool = False) -> bool:
    """
    Whether an If-Match or If-None-Match header lists `etag`, or is `*`. RFC 9110 compares
    If-Match strongly (a weak tag never matches) and If-None-Match weakly (`W/` ignored).
    """
    tags = parse_etags(header)
    if weak:
        tags = [tag.removeprefix("W/") for tag in tags]
    return tags == ["*"] or etag in tags


class ConditionalObjectMixin(GenericAPIView):
    """
    Views of one object: their GET and PATCH answers carry the object's ETag; their changes
    honour If-Match.
    """

    object_noun: str  # "token": how the 412's message names the object

    def represent(self, obj: Any) -> dict:
        """The object as its GET answers it, and as its ETag is computed."""
        return self.get_serializer(obj).data

    def if_match(self) -> Precondition | None:
        """The request's If-Match, as the precondition a service checks on the locked object."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return None

        def still_as_read(current: Any) -> None:
            if not _listed(header, etag_of(self.represent(current))):
                raise Stale(
                    f"This {self.object_noun} changed since you read it (If-Match): GET it "
                    "again, and send your change with its new ETag."
                )

        return still_as_read

    def answer_with_etag(self, obj: Any) -> Response:
        representation = self.represent(obj)
        return Response(representation, headers={"ETag": etag_of(representation)})

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        representation = self.represent(self.get_object())
        etag = etag_of(representation)
        if _listed(request.headers.get("If-None-Match", ""), etag, weak=True):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(representation, headers={"ETag": etag})


# --- The schema -------------------------------------------------------------------------------

ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="The object's current ETag: send it as If-Match with a change.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="Change the object only if it is still as read: the ETag of the GET or PATCH "
    "you read it with (several, comma-separated, or `*`). Otherwise 412, and nothing changes.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag you hold: 304 with no body if the object is still as it was.",
)
NOT_MODIFIED = {304: OpenApiResponse(description="Not changed since the If-None-Match ETag.")}
