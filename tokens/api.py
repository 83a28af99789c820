"""
The JSON API's tokens endpoints, token introspection (RFC 7662) and the end user's own view.

Each endpoint validates its input with a serializer, then calls the same service as the page
does; the services' rules and messages are the API's.
"""

from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_variables
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from console.accounts.models import Role
from console.api.authentication import key_provider
from console.api.errors import ErrorAnswer, OwnObjectMixin, error_responses
from console.api.fields import TextField, UnixTimestampField
from console.api.parsers import BoundedJSONParser
from console.api.preconditions import (
    ETAG_HEADER,
    IF_MATCH,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    ConditionalObjectMixin,
)
from console.api.schema import LinkedResponse, link
from console.api.serializers import NoInputSerializer, StrictInputMixin
from console.audit.actors import actor_for
from models_registry.selectors import models_for
from tokens import api_examples as examples
from tokens import gateway, services
from tokens.filters import SORTS, ApiTokenFilter
from tokens.gateway import MAX_BODY_BYTES, MAX_COST
from tokens.models import MAX_LIMIT, TOKEN_NAME_MAX_LENGTH, QuotaPeriod, Token, TokenStatus
from tokens.selectors import tokens_for

# --- Representations --------------------------------------------------------------------------


class TokenSerializer(serializers.ModelSerializer):
    """A token as its provider sees it (the secret is never part of it)."""

    model_id = serializers.CharField(
        source="model.model_id",
        allow_null=True,
        read_only=True,
        default=None,
        help_text="The model it is assigned to; null when unassigned (it cannot be used).",
    )
    expires_at = UnixTimestampField(read_only=True)
    expired = serializers.BooleanField(source="is_expired", read_only=True)
    created_at = UnixTimestampField(read_only=True)
    updated_at = UnixTimestampField(read_only=True)
    rate_limit = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Queries per minute; null: the model's `default_rate_limit`, if any.",
    )
    quota = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Queries per `quota_period`; null: the model's `default_quota`, if any.",
    )
    quota_period = serializers.ChoiceField(
        choices=QuotaPeriod.choices,
        read_only=True,
        allow_null=True,
        help_text="`day` or `month` (starting over at 00:00 UTC, or on the 1st); null "
        "without a quota.",
    )
    last_used_at = UnixTimestampField(
        read_only=True,
        allow_null=True,
        help_text="When a check last counted a query of it (to the minute); null if never.",
    )
    last_used_ip = serializers.IPAddressField(
        read_only=True,
        allow_null=True,
        help_text="The end user's address at that use, as the gateway gave it; null if unknown.",
    )

    class Meta:
        model = Token
        fields = [
            "token_id",
            "name",
            "note",
            "status",
            "model_id",
            "model_name",
            "expires_at",
            "expired",
            "needs_new_evk",
            "hint",
            "rate_limit",
            "quota",
            "quota_period",
            "last_used_at",
            "last_used_ip",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    """A token just created: the only answer that carries its secret."""

    token = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The secret. Shown once, in this answer: it is not stored. Null in an answer "
        "replayed for a retry with the same `Idempotency-Key`.",
    )
    # Not read-only, as a response-only serializer's fields could be: the schema would then
    # call it required, and only a replayed answer has it.
    secret_message = serializers.CharField(
        required=False,
        help_text="Only in a replayed answer (`Idempotent-Replayed: true`): how to get a new "
        "secret, as the first one is not stored.",
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token", "secret_message"]
        read_only_fields = TokenSerializer.Meta.fields


# --- Input ------------------------------------------------------------------------------------


class ModelIdField(TextField):
    """One of the provider's models, by `model_id`; null (where allowed) means unassigned."""

    def to_internal_value(self, data):
        model_id = super().to_internal_value(data)
        model = models_for(key_provider(self.context["request"])).filter(model_id=model_id).first()
        if model is None:
            raise serializers.ValidationError("Choose one of your models (no such model_id).")
        return model


class LimitField(serializers.IntegerField):
    """
    A limit: a JSON whole number, or null for unset. Its range (1 to MAX_LIMIT) is the services'
    rule, answered with their message; it is set here only to appear in the schema.
    """

    default_error_messages = {"invalid": "Give a whole number, or null."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)
        self.min_value, self.max_value = 1, MAX_LIMIT

    def to_internal_value(self, data):
        # "60" or 60.0 are refused, as TextField refuses 5 for a string: say what you mean.
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data


def quota_period_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=QuotaPeriod.choices,
        required=False,
        allow_null=True,
        help_text="`day` (the default) or `month`: when the quota starts over (00:00 UTC, or "
        "the 1st). Ignored without a quota.",
        **kwargs,
    )


RATE_LIMIT_HELP = "Queries per minute, from 1; null: the model's default, if any."
QUOTA_HELP = "Queries per `quota_period`, from 1; null: the model's default, if any."


class TokenCreateSerializer(StrictInputMixin, serializers.Serializer):
    """A new token: its name, and its model, note, expiration and limits if you choose them."""

    represented_by = NewTokenSerializer
    refused_here = {
        "status": "A new token is always ACTIVE: change its status with PATCH once it exists."
    }

    name = TextField(max_length=TOKEN_NAME_MAX_LENGTH)
    model_id = ModelIdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The model to assign it to; omit or null for an unassigned token.",
    )
    note = TextField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Only the provider sees this, never end users.",
    )
    expires_at = UnixTimestampField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Unix time in seconds; default now plus 30 days; at most the maximum lifetime.",
    )
    rate_limit = LimitField(default=None, help_text=RATE_LIMIT_HELP)
    quota = LimitField(default=None, help_text=QUOTA_HELP)
    quota_period = quota_period_field(default=None)


class TokenUpdateSerializer(StrictInputMixin, serializers.Serializer):
    """The fields of a token to change; those left out stay as they are."""

    represented_by = TokenSerializer

    name = TextField(required=False, max_length=TOKEN_NAME_MAX_LENGTH)
    note = TextField(required=False, allow_blank=True)
    expires_at = UnixTimestampField(required=False, help_text="Unix time in seconds.")
    status = serializers.ChoiceField(
        choices=TokenStatus.choices,
        required=False,
        help_text="CANCELED is final: a cancelled token never becomes ACTIVE or SUSPENDED again.",
    )
    model_id = ModelIdField(
        required=False,
        allow_null=True,
        help_text="Assigns an unassigned token (409 if assigned); null removes the assignment.",
    )
    rate_limit = LimitField(help_text=RATE_LIMIT_HELP)
    quota = LimitField(help_text=QUOTA_HELP)
    quota_period = quota_period_field()


class AssignSerializer(StrictInputMixin, serializers.Serializer):
    """The model to assign an unassigned token to."""

    model_id = ModelIdField()


# --- Provider endpoints -----------------------------------------------------------------------

CANCELLED_IS_FINAL = ErrorAnswer(
    "The token is cancelled (final), or not assigned (to unassign it), or a request with this "
    "`Idempotency-Key` is still running (retry later).",
    "A cancelled token cannot be renewed.",
    "cancelled_is_final",
)
ALREADY_ASSIGNED = ErrorAnswer(
    "The token is assigned to another model (remove its assignment first) or cancelled, or a "
    "request with this `Idempotency-Key` is still running (retry later).",
    "“alice-laptop” is already assigned to “Sentiment v2”. Only unassigned tokens can be "
    "assigned: remove its assignment first.",
    "already_assigned",
    {
        "model_id": [
            "“alice-laptop” is already assigned to “Sentiment v2”. Only unassigned tokens can "
            "be assigned: remove its assignment first."
        ]
    },
)
# 400 and 415: a body they do not take.
_ACTION_ERRORS = error_responses(400, 404, 409, 412, 415, answers={409: CANCELLED_IS_FINAL})
_TOKEN_ID = {"token_id": "$response.body#/token_id"}
# Where a new token leads: what a client (or schemathesis' stateful phase) can do with it next.
_NEW_TOKEN_LINKS = {
    "GetToken": link("get_token", _TOKEN_ID, "Read it back (with its ETag)."),
    "UpdateToken": link("update_token", _TOKEN_ID, "Change it."),
    "DeleteToken": link("delete_token", _TOKEN_ID, "Delete it."),
    "AssignTokenToModel": link("assign_token_to_model", _TOKEN_ID, "Assign it to a model."),
    "RemoveTokenAssignment": link("remove_token_assignment", _TOKEN_ID, "Unassign it."),
    "RenewToken": link("renew_token", _TOKEN_ID, "Renew it."),
    "CancelToken": link("cancel_token", _TOKEN_ID, "Cancel it."),
}
# Actions that take no input read forms too: an empty form is no input (`curl -d ''`, a test
# client's POST), and a field in one is refused as in JSON rather than ignored.
_NO_INPUT_PARSERS = [BoundedJSONParser, FormParser, MultiPartParser]


@extend_schema_view(
    list=extend_schema(
        operation_id="list_tokens",
        summary="List tokens",
        description="Filters and sort as on the console's Tokens List page; every token, "
        "page by page, by following `next`.",
        parameters=[
            OpenApiParameter(
                "sort",
                enum=[*SORTS, *(f"-{key}" for key in SORTS)],
                description="One column; a leading `-` sorts descending. Default `-created`.",
            ),
            OpenApiParameter(
                "status",
                # The one TokenStatus enum, as every token's `status` is (drf-spectacular would
                # give the filter an enum of its own).
                {"type": "array", "items": {"$ref": "#/components/schemas/TokenStatus"}},
                explode=True,
                description="Tokens in any of these statuses: `status=ACTIVE&status=SUSPENDED`.",
            ),
        ],
        responses={
            200: OpenApiResponse(
                TokenSerializer(many=True),
                description="A page of your tokens that match, in the order asked for.",
                examples=[examples.A_PAGE_OF_TOKENS],
            ),
            **error_responses(400),
        },
    ),
    retrieve=extend_schema(
        operation_id="get_token",
        summary="Get a token",
        description="One of your tokens, with its `ETag` to send as `If-Match` with a change. "
        "Its secret is never shown again.",
        parameters=[IF_NONE_MATCH, ETAG_HEADER],
        responses={
            200: OpenApiResponse(
                TokenSerializer, description="The token.", examples=[examples.A_TOKEN]
            ),
            **NOT_MODIFIED,
            **error_responses(404),
        },
    ),
)
class TokenViewSet(
    OwnObjectMixin, ConditionalObjectMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """The provider's User Access Tokens: list, create, get, change, delete, and the actions."""

    queryset = Token.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = TokenSerializer
    not_found_message = "No such token among yours."
    object_noun = "token"
    lookup_field = "token_id"
    lookup_value_regex = "[0-9A-Za-z_]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiTokenFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return tokens_for(key_provider(self.request))

    def _answer(self, token, code=status.HTTP_200_OK):
        return Response(TokenSerializer(token).data, status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        operation_id="create_token",
        summary="Create a token",
        description="A new ACTIVE token, assigned to `model_id` or to no model yet. Its secret "
        "(`token`) is in this answer only: it is not stored, so hand it to its end user now.",
        request=TokenCreateSerializer,
        examples=[examples.CREATE_TOKEN, examples.CREATE_UNASSIGNED_TOKEN],
        responses={
            201: LinkedResponse(
                NewTokenSerializer,
                description="Created: the token, and its secret, shown this once.",
                examples=[examples.A_NEW_TOKEN],
                links=_NEW_TOKEN_LINKS,
            ),
            **error_responses(400, 409, 415),
        },
    )
    @sensitive_variables("secret")
    def create(self, request):
        data = self._input(TokenCreateSerializer)
        token, secret = services.create_token(
            actor=actor_for(request),
            provider=key_provider(request),
            name=data["name"],
            model=data["model_id"],
            note=data["note"],
            expires_at=data["expires_at"],
            rate_limit=data["rate_limit"],
            quota=data["quota"],
            quota_period=data["quota_period"],
        )
        # The one answer that carries the secret (documented by NewTokenSerializer).
        body = {**TokenSerializer(token).data, "token": secret}
        response = Response(body, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)
        return response

    @extend_schema(
        operation_id="update_token",
        summary="Update a token",
        description="Change any of its fields; fields left out stay. `status` CANCELED is "
        "final; `model_id` assigns an unassigned token, null removes its assignment; a limit "
        "set to null falls back to the model's default.",
        request=TokenUpdateSerializer,
        examples=[examples.UPDATE_TOKEN],
        parameters=[IF_MATCH, ETAG_HEADER],
        responses={
            200: OpenApiResponse(
                TokenSerializer,
                description="Changed: the token as it is now, with its new `ETag`.",
                examples=[examples.A_TOKEN],
            ),
            **error_responses(400, 404, 409, 412, 415),
        },
    )
    def partial_update(self, request, token_id):
        token = self.get_object()
        changes = self._input(TokenUpdateSerializer)
        # To the second, as this API shows it: the expiration a script read back is no change.
        if changes.get("expires_at") == token.expires_at.replace(microsecond=0):
            del changes["expires_at"]
        if "model_id" in changes:
            changes["model"] = changes.pop("model_id")
        token = services.update_token(
            actor=actor_for(request), token=token, precondition=self.if_match(), **changes
        )
        return self.answer_with_etag(token)

    @extend_schema(
        operation_id="delete_token",
        summary="Delete a token",
        description="Deletes it for good: its secret stops working at once. Its history stays "
        "in the events.",
        parameters=[IF_MATCH],
        responses={
            204: OpenApiResponse(description="Deleted; no body."),
            **error_responses(404, 412),
        },
    )
    def destroy(self, request, token_id):
        services.delete_token(
            actor=actor_for(request), token=self.get_object(), precondition=self.if_match()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="assign_token_to_model",
        summary="Assign a token to a model",
        description="Only unassigned tokens can be assigned (409 otherwise; to the model it "
        "already has, 200 and no change). A token assigned to a different model than before "
        "answers `needs_new_evk: true`: its end user needs a new EVK.",
        request=AssignSerializer,
        examples=[examples.ASSIGN_TOKEN],
        parameters=[IF_MATCH],
        responses={
            200: OpenApiResponse(
                TokenSerializer,
                description="Assigned: the token as it is now.",
                examples=[examples.A_TOKEN],
            ),
            **error_responses(400, 404, 409, 412, 415, answers={409: ALREADY_ASSIGNED}),
        },
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, token_id):
        token = self.get_object()
        model = self._input(AssignSerializer)["model_id"]
        return self._answer(
            services.assign_token(
                actor=actor_for(request), token=token, model=model, precondition=self.if_match()
            )
        )

    @extend_schema(
        operation_id="remove_token_assignment",
        summary="Remove a token's assignment",
        description="The token stays, assigned to no model: it cannot be used until it is "
        "assigned again. Takes no body. 409 when it is not assigned.",
        request=None,
        parameters=[IF_MATCH],
        responses={
            200: OpenApiResponse(
                TokenSerializer,
                description="Unassigned: the token as it is now.",
                examples=[examples.AN_UNASSIGNED_TOKEN],
            ),
            **_ACTION_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=_NO_INPUT_PARSERS)
    def unassign(self, request, token_id):
        token = self.get_object()
        self._input(NoInputSerializer)
        return self._answer(
            services.unassign_token(
                actor=actor_for(request), token=token, precondition=self.if_match()
            )
        )

    @extend_schema(
        operation_id="renew_token",
        summary="Renew a token",
        description="Its expiration becomes now plus the default lifetime (30 days). Takes no "
        "body. 409 for a cancelled token.",
        request=None,
        parameters=[IF_MATCH],
        responses={
            200: OpenApiResponse(
                TokenSerializer,
                description="Renewed: the token with its new `expires_at`.",
                examples=[examples.A_TOKEN],
            ),
            **_ACTION_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=_NO_INPUT_PARSERS)
    def renew(self, request, token_id):
        token = self.get_object()
        self._input(NoInputSerializer)
        return self._answer(
            services.renew_token(
                actor=actor_for(request), token=token, precondition=self.if_match()
            )
        )

    @extend_schema(
        operation_id="cancel_token",
        summary="Cancel a token",
        description="Cancelling is final: the token is refused from the next check on and never "
        "becomes ACTIVE or SUSPENDED again. Takes no body.",
        request=None,
        parameters=[IF_MATCH],
        responses={
            200: OpenApiResponse(
                TokenSerializer,
                description="Cancelled: the token as it is now.",
                examples=[examples.A_CANCELLED_TOKEN],
            ),
            **_ACTION_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=_NO_INPUT_PARSERS)
    def cancel(self, request, token_id):
        token = self.get_object()
        self._input(NoInputSerializer)
        return self._answer(
            services.cancel_token(
                actor=actor_for(request), token=token, precondition=self.if_match()
            )
        )


# --- Introspection (RFC 7662), for the provider's query gateway -------------------------------
#
# Answered by plain Django views (tokens.gateway), the product's hot path; the classes below
# document them in the schema, and answer the same way if REST framework ever routes to them.


class IntrospectionFormSerializer(serializers.Serializer):
    """A check, as RFC 7662 sends it: a form (`application/x-www-form-urlencoded`)."""

    token = TextField(
        allow_blank=True, trim_whitespace=False, help_text="The token an end user presented."
    )
    cost = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_COST,
        default=1,
        help_text="How many queries this check counts (default 1); 0 checks without counting.",
    )
    client_ip = serializers.IPAddressField(
        required=False,
        allow_blank=True,
        help_text="The end user's IPv4 or IPv6 address, shown to you as the token's last "
        "address; empty for none.",
    )
    token_type_hint = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="RFC 7662's hint, accepted and not needed: every token here is an access "
        "token (`access_token`).",
    )


class LimitSerializer(serializers.Serializer):
    """Where a token stands against one of its limits."""

    limit = serializers.IntegerField(help_text="Queries allowed in the period.")
    remaining = serializers.IntegerField(help_text="Queries left in the period after this one.")
    period = serializers.ChoiceField(choices=["minute", "day", "month"])
    resets_at = serializers.IntegerField(help_text="When the period starts over, Unix seconds.")


class IntrospectionSerializer(serializers.Serializer):
    """The answer to a check: `active`, and for a usable token, what it is and what is left."""

    active = serializers.BooleanField(
        help_text="True when the query may go ahead: a usable token of yours, within its limits."
    )
    token_id = serializers.CharField(required=False)
    model_id = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    status = serializers.ChoiceField(
        choices=TokenStatus.choices,
        required=False,
        help_text="With a usable token: always ACTIVE (any other status is not usable).",
    )
    exp = serializers.IntegerField(required=False, help_text="Expiration, Unix time in seconds.")
    token_type = serializers.CharField(required=False, help_text="RFC 7662: always `Bearer`.")
    iat = serializers.IntegerField(
        required=False, help_text="RFC 7662: when the token was created, Unix seconds."
    )
    jti = serializers.CharField(required=False, help_text="RFC 7662: the token's id.")
    aud = serializers.CharField(required=False, help_text="RFC 7662: the model's id.")
    scope = serializers.CharField(required=False, help_text="RFC 7662: always `query`.")
    remaining = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Queries left before a limit refuses one; null when the token has no limit.",
    )
    rate_limit = LimitSerializer(required=False, allow_null=True)
    quota = LimitSerializer(required=False, allow_null=True)
    reason = serializers.ChoiceField(
        choices=["rate_limited", "quota_exceeded"],
        required=False,
        help_text="Only when a usable token's query must be refused: which limit refused it.",
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="With `reason`: seconds until a query may go ahead."
    )


UNREADABLE_CHECK = ErrorAnswer(
    "A `Content-Type` the check does not read: send a form, or JSON.",
    'Unsupported media type "text/plain" in request.',
    "unsupported_media_type",
)
TOO_MANY_BAD_KEYS = ErrorAnswer(
    "Too many bad license keys from your address: wait `Retry-After` seconds. (Checks with a "
    "good key are never limited here: a token's own limits answer `active: false`.)",
    "Too many bad license keys from your address: try again in 12 seconds.",
    "throttled",
)
TOO_LARGE = ErrorAnswer(
    f"The body is larger than a check needs: at most {MAX_BODY_BYTES:,} bytes.",
    f"A check's body is at most {MAX_BODY_BYTES:,} bytes: send the token, not more.",
    "too_large",
)


class IntrospectView(APIView):
    """RFC 7662 token introspection: is this token usable now, for which model, what is left?"""

    parser_classes = [FormParser, MultiPartParser, BoundedJSONParser]
    needs_role = Role.VIEWER  # a check, not a change: every member's key may ask
    gateway_key_allowed = True

    @extend_schema(
        operation_id="introspect",
        summary="Introspect a token (RFC 7662)",
        description=(
            "Your query gateway calls this for each query. `active` is true when the query may "
            "go ahead: a token of yours that is assigned, ACTIVE, unexpired and within its "
            "limits; each such check counts `cost` queries (default 1). An unusable token "
            "(unknown, malformed, expired, suspended, cancelled, unassigned, another provider's) "
            'is `{"active": false}`: answer the end user 401. A usable token over a limit is '
            "`active: false` with `reason` (`rate_limited` or `quota_exceeded`) and "
            "`retry_after`: answer 429 with `Retry-After`. A Gateway license key is enough. "
            "Send the check as a form, as RFC 7662 does; the same fields as a JSON object are "
            "read too."
        ),
        # RFC 7662's form only. The gateway reads the same fields as JSON too (console/client.py
        # sends JSON), but a body of two media types breaks generated clients: openapi-python-
        # client up to 0.29 emits code that does not import (its issue #1451).
        request={"application/x-www-form-urlencoded": IntrospectionFormSerializer},
        examples=[examples.INTROSPECT_FORM],
        responses={
            200: OpenApiResponse(
                IntrospectionSerializer,
                description="The verdict: `active`, and what the token is and has left.",
                examples=[examples.USABLE, examples.UNUSABLE, examples.OVER_A_LIMIT],
            ),
            **error_responses(
                400,
                401,
                405,
                413,
                415,
                429,
                503,
                common=(),
                answers={413: TOO_LARGE, 415: UNREADABLE_CHECK, 429: TOO_MANY_BAD_KEYS},
            ),
        },
    )
    def post(self, request):
        return gateway.introspect(request._request)


UNUSABLE_TOKEN = ErrorAnswer(
    "No token, or one that cannot be used (unknown, expired, suspended, cancelled, "
    "unassigned): the message says which.",
    "This token has expired.",
    "authentication_failed",
)


class UserAccessTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer uat_…`: an end user (documented here; tokens.gateway checks it)."""

    def authenticate(self, request):
        return None


class UserAccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = UserAccessTokenAuthentication
    name = "userAccessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An end user's User Access Token (`uat_…`).",
        }


class EndUserTokenSerializer(serializers.Serializer):
    """What an end user may know about their own token: never the provider's note."""

    token_id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=TokenStatus.choices, help_text="Always ACTIVE: only a usable token is answered."
    )
    expires_at = UnixTimestampField()
    model_id = serializers.CharField(source="model.model_id")
    model_name = serializers.CharField(source="model.name")
    remaining = serializers.IntegerField(
        allow_null=True,
        help_text="Queries left before a limit refuses one; null when the token has no limit.",
    )
    rate_limit = LimitSerializer(allow_null=True)
    quota = LimitSerializer(allow_null=True)


class OwnTokenView(APIView):
    """The end user's own token, for a client to show when it expires and what is left."""

    authentication_classes = [UserAccessTokenAuthentication]
    permission_classes: list = []

    @extend_schema(
        operation_id="get_own_token",
        summary="Show my token (end users)",
        description="For an end user's own client: their token's expiration, model and what is "
        "left of its limits (never the provider's note). Records the token's use (time and "
        "address) without counting a query. Authenticate with the token itself.",
        responses={
            200: OpenApiResponse(
                EndUserTokenSerializer,
                description="Your token, usable now.",
                examples=[examples.OWN_TOKEN],
            ),
            **error_responses(401, 405, 503, common=(), answers={401: UNUSABLE_TOKEN}),
        },
    )
    def get(self, request):
        return gateway.own_token(request._request)


def documented(view, cls: type[APIView]):
    """A plain view, documented in the schema by the REST framework class `cls`."""
    view.cls = cls
    view.initkwargs = {}
    return view
