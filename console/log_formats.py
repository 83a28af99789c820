"""
How log lines are written: plain text by default, one JSON object per line with LOG_FORMAT=json.

Loaded by `logging.config` while settings are configured, so it imports nothing from Django.
A record may carry structured fields in `log_fields` (the request log does): plain text shows
them as `key=value` in its message, JSON as members of the line's object.
"""

import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime

# Values that a reader (or a log shipper splitting on spaces) could misread need quotes.
_NEEDS_QUOTES = re.compile(r'[\s"=\\]|[^\x21-\x7e]')

LogFields = Mapping[str, str | int | float | None]


def key_value_text(fields: LogFields) -> str:
    """`key=value key=value`, with `-` for a missing value and JSON quotes where needed."""
    return " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())


def _text_value(value: str | int | float | None) -> str:
    if value is None or value == "":
        return "-"
    text = str(value)
    return json.dumps(text) if _NEEDS_QUOTES.search(text) else text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, then the record's fields or its message."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "log_fields", None)
        if isinstance(fields, Mapping):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)
