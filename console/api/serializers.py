"""
What the JSON API's input serializers share: a body field the endpoint does not take is refused.

REST framework drops fields a serializer does not declare, so `{"stauts": "CANCELED"}` answered
200 and changed nothing, and a create with `"expire_at"` got the default expiration. Every
write's serializer mixes in `StrictInputMixin`: such a field is a 400 naming it, before
anything changes.
"""

from collections.abc import Mapping
from difflib import get_close_matches
from functools import cache

from rest_framework import serializers


@cache
def _field_names(serializer_class: type[serializers.Serializer]) -> frozenset[str]:
    return frozenset(serializer_class().fields)


class StrictInputMixin(serializers.Serializer):
    """
    Refuses body fields the serializer does not take: an unknown one as Stripe does ("Received
    unknown parameter: stauts", with the nearest known name), one the object only shows (its
    id, `created_at`...) as read-only. Each error is under the field's own name in `errors`.

    `represented_by` is the serializer of the answer, whose other fields are read-only here;
    `refused_here` gives a message of its own for a field read or written elsewhere but not
    here (a new token's `status`).
    """

    represented_by: type[serializers.Serializer] | None = None
    refused_here: dict[str, str] = {}

    def to_internal_value(self, data):
        refused = self._refused_fields(data) if isinstance(data, Mapping) else {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if refused and isinstance(error.detail, dict):
                # The refused fields first: the answer's `message` is the first error's.
                raise serializers.ValidationError({**refused, **error.detail}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value

    def _refused_fields(self, data: Mapping) -> dict[str, list[str]]:
        writable = {name for name, field in self.fields.items() if not field.read_only}
        read_only = {name for name, field in self.fields.items() if field.read_only}
        if self.represented_by is not None:
            read_only |= _field_names(self.represented_by)
        refused = {}
        for name in data:
            if name in writable:
                continue
            if name in self.refused_here:
                refused[name] = [self.refused_here[name]]
            elif name in read_only:
                refused[name] = [f"{name} is read-only."]
            else:
                refused[name] = [self._unknown(str(name), writable)]
        return refused

    @staticmethod
    def _unknown(name: str, writable: set[str]) -> str:
        message = f"Received unknown parameter: {name}"
        nearest = get_close_matches(name, sorted(writable), n=1)
        return f"{message}. Did you mean {nearest[0]}?" if nearest else message


class NoInputSerializer(StrictInputMixin, serializers.Serializer):
    """The body of an action that takes none (renew, cancel...): empty, or `{}`."""
