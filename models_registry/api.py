"""
The JSON API's models endpoints: list, create, get and change, through the same services as the
pages.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from console.api.authentication import key_provider
from console.api.errors import OwnObjectMixin, error_responses
from console.api.fields import TextField, UnixTimestampField
from console.api.preconditions import (
    ETAG_HEADER,
    IF_MATCH,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    ConditionalObjectMixin,
)
from console.api.serializers import StrictInputMixin
from console.audit.actors import actor_for
from models_registry import services
from models_registry.models import MODEL_NAME_MAX_LENGTH, AIModel
from models_registry.selectors import models_for
from tokens.api import LimitField, quota_period_field

DEFAULT_RATE_HELP = (
    "Queries per minute, from 1, for each of its tokens without a rate limit of its own; null: "
    "no limit."
)
DEFAULT_QUOTA_HELP = (
    "Queries per `default_quota_period`, from 1, for each of its tokens without a quota of its "
    "own; null: no quota."
)


class ModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    name = TextField(max_length=MODEL_NAME_MAX_LENGTH)
    description = TextField(required=False, allow_blank=True, default="")
    default_rate_limit = LimitField(default=None, help_text=DEFAULT_RATE_HELP)
    default_quota = LimitField(default=None, help_text=DEFAULT_QUOTA_HELP)
    default_quota_period = quota_period_field(default=None)
    created_at = UnixTimestampField(read_only=True)

    class Meta:
        model = AIModel
        fields = [
            "model_id",
            "name",
            "description",
            "default_rate_limit",
            "default_quota",
            "default_quota_period",
            "created_at",
        ]
        read_only_fields = ["model_id"]


class ModelUpdateSerializer(StrictInputMixin, serializers.Serializer):
    represented_by = ModelSerializer

    name = TextField(required=False, max_length=MODEL_NAME_MAX_LENGTH)
    description = TextField(required=False, allow_blank=True)
    default_rate_limit = LimitField(help_text=DEFAULT_RATE_HELP)
    default_quota = LimitField(help_text=DEFAULT_QUOTA_HELP)
    default_quota_period = quota_period_field()


@extend_schema_view(
    list=extend_schema(
        summary="List models",
        responses={200: ModelSerializer(many=True), **error_responses(400, 404)},
    ),
    create=extend_schema(
        summary="Create a model",
        responses={201: ModelSerializer, **error_responses(400, 409, 415)},
    ),
    retrieve=extend_schema(
        summary="Get a model",
        parameters=[IF_NONE_MATCH, ETAG_HEADER],
        responses={200: ModelSerializer, **NOT_MODIFIED, **error_responses(404)},
    ),
    partial_update=extend_schema(
        summary="Update a model",
        description="Change its name, description or default limits; fields left out stay. "
        "New defaults apply from each token's next check.",
        request=ModelUpdateSerializer,
        parameters=[IF_MATCH, ETAG_HEADER],
        responses={200: ModelSerializer, **error_responses(400, 404, 409, 412, 415)},
    ),
)
class ModelViewSet(
    OwnObjectMixin, ConditionalObjectMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    # The provider's AI models (workloads). A comment, not a docstring: drf-spectacular would
    # repeat a docstring as every endpoint's description.

    queryset = AIModel.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ModelSerializer
    not_found_message = "No such model among yours."
    object_noun = "model"
    lookup_field = "model_id"
    lookup_value_regex = "[0-9A-Za-z_]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return models_for(key_provider(self.request))

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        model = services.create_model(
            actor=actor_for(request), provider=key_provider(request), **serializer.validated_data
        )
        return Response(self.get_serializer(model).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, model_id):
        model = self.get_object()
        changes = ModelUpdateSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        model = services.update_model(
            actor=actor_for(request),
            model=model,
            precondition=self.if_match(),
            **changes.validated_data,
        )
        return self.answer_with_etag(model)
