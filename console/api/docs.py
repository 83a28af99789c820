"""
The API docs page's reference: every endpoint of the OpenAPI schema, flattened for a template.

The schema is generated from the API's own views and serializers (drf-spectacular), so the page
can never describe an endpoint that does not exist or miss one that does.
"""

from dataclasses import dataclass, field
from functools import cache

from drf_spectacular.generators import SchemaGenerator

METHOD_ORDER = ["get", "post", "patch", "delete"]
TAG_TITLES = {
    "models": "Models",
    "tokens": "Tokens",
    "introspect": "Introspection",
    "token": "End users",
}


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str = ""
    where: str = ""


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    responses: list[tuple[str, str]] = field(default_factory=list)
    auth: str = ""


@cache
def api_schema() -> dict:
    """The OpenAPI 3 schema, generated once per process."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(schema, node["allOf"][0])
    return node


def _type_of(schema: dict, node: dict) -> str:
    node = _resolve(schema, node)
    if "enum" in node:
        return " | ".join(str(value) for value in node["enum"] if value is not None)
    if "oneOf" in node:
        return " | ".join(_type_of(schema, option) for option in node["oneOf"])
    kind = node.get("type", "object")
    if kind == "array":
        return f"array of {_type_of(schema, node.get('items', {}))}"
    return f"{kind} or null" if node.get("nullable") else kind


def _body_fields(schema: dict, operation: dict) -> list[Field]:
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return []
    node = _resolve(schema, next(iter(content.values()))["schema"])
    required = set(node.get("required", []))
    return [
        Field(name, _type_of(schema, prop), name in required, prop.get("description", ""))
        for name, prop in node.get("properties", {}).items()
    ]


def _operation(schema: dict, path: str, method: str, operation: dict) -> Operation:
    security = [next(iter(item)) for item in operation.get("security", []) if item]
    return Operation(
        method=method.upper(),
        path=path,
        summary=operation.get("summary", ""),
        description=operation.get("description", ""),
        anchor=operation["operationId"],
        parameters=[
            Field(
                item["name"],
                _type_of(schema, item.get("schema", {})),
                item.get("required", False),
                item.get("description", ""),
                item["in"],
            )
            for item in operation.get("parameters", [])
        ],
        body=_body_fields(schema, operation),
        responses=[
            (code, answer.get("description", "")) for code, answer in operation["responses"].items()
        ],
        auth={"licenseKey": "License key", "userAccessToken": "User Access Token"}.get(
            security[0] if security else "", "None"
        ),
    )


def api_reference(request=None) -> list[tuple[str, list[Operation]]]:
    """The endpoints grouped by section (Models, Tokens, Introspection, End users)."""
    schema = api_schema()
    sections: dict[str, list[Operation]] = {}
    for path, methods in schema["paths"].items():
        for method in sorted(methods, key=lambda name: METHOD_ORDER.index(name)):
            operation = methods[method]
            tag = operation.get("tags", ["other"])[0]
            sections.setdefault(tag, []).append(_operation(schema, path, method, operation))
    order = list(TAG_TITLES)
    ranked = sorted(
        sections.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99
    )
    return [(TAG_TITLES.get(tag, tag.title()), ops) for tag, ops in ranked]
