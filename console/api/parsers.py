"""How the JSON API reads request bodies."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """
    DRF's JSON parser, answering 400 for a body nested too deeply to parse (`[[[[…` thousands
    deep) instead of letting Python's RecursionError become a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
