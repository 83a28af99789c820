"""
The JSON API's models endpoints: list, create, get and change, through the same services as the
pages.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
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
from console.api.schema import LinkedResponse, link
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
    """An AI model (workload) of yours, and the default limits of its tokens."""

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
    """The fields of a model to change; those left out stay as they are."""

    represented_by = ModelSerializer

    name = TextField(required=False, max_length=MODEL_NAME_MAX_LENGTH)
    description = TextField(required=False, allow_blank=True)
    default_rate_limit = LimitField(help_text=DEFAULT_RATE_HELP)
    default_quota = LimitField(help_text=DEFAULT_QUOTA_HELP)
    default_quota_period = quota_period_field()


MODEL = {
    "model_id": "mdl_9aTk3WvQ1eYs6uJm2PdL",
    "name": "Sentiment v2",
    "description": "Reviews, 1 to 5 stars",
    "default_rate_limit": 60,
    "default_quota": 10000,
    "default_quota_period": "day",
    "created_at": 1796103346,
}
A_MODEL = OpenApiExample("A model", value=MODEL)
_MODEL_ID = {"model_id": "$response.body#/model_id"}


@extend_schema_view(
    list=extend_schema(
        operation_id="list_models",
        summary="List models",
        description="Your models, by name, page by page by following `next`.",
        responses={
            200: OpenApiResponse(
                ModelSerializer(many=True),
                description="A page of your models.",
                examples=[OpenApiExample("A page of models", value=MODEL)],
            ),
            **error_responses(400),
        },
    ),
    create=extend_schema(
        operation_id="create_model",
        summary="Create a model",
        description="Register a model (a workload you deploy); its tokens are created for it "
        "afterwards. Names are unique among your models, ignoring case (409).",
        examples=[
            OpenApiExample(
                "A model with default limits",
                value={
                    "name": "Sentiment v2",
                    "description": "Reviews, 1 to 5 stars",
                    "default_rate_limit": 60,
                },
                request_only=True,
            )
        ],
        responses={
            201: LinkedResponse(
                ModelSerializer,
                description="Created: the model, with its `model_id`.",
                examples=[A_MODEL],
                links={
                    "GetModel": link("get_model", _MODEL_ID, "Read it back (with its ETag)."),
                    "UpdateModel": link("update_model", _MODEL_ID, "Change it."),
                },
            ),
            **error_responses(400, 409, 415),
        },
    ),
    retrieve=extend_schema(
        operation_id="get_model",
        summary="Get a model",
        description="One of your models, with its `ETag` to send as `If-Match` with a change.",
        parameters=[IF_NONE_MATCH, ETAG_HEADER],
        responses={
            200: OpenApiResponse(ModelSerializer, description="The model.", examples=[A_MODEL]),
            **NOT_MODIFIED,
            **error_responses(404),
        },
    ),
    partial_update=extend_schema(
        operation_id="update_model",
        summary="Update a model",
        description="Change its name, description or default limits; fields left out stay. "
        "New defaults apply from each token's next check.",
        request=ModelUpdateSerializer,
        examples=[
            OpenApiExample(
                "A daily quota for its tokens",
                value={"default_quota": 10000, "default_quota_period": "day"},
                request_only=True,
            )
        ],
        parameters=[IF_MATCH, ETAG_HEADER],
        responses={
            200: OpenApiResponse(
                ModelSerializer,
                description="Changed: the model as it is now, with its new `ETag`.",
                examples=[A_MODEL],
            ),
            **error_responses(400, 404, 409, 412, 415),
        },
    ),
)
class ModelViewSet(
    OwnObjectMixin, ConditionalObjectMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """The provider's AI models (workloads): list, create, get and change."""

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
