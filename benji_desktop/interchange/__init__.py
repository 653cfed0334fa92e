"""Requests in and out of the app: cURL commands, raw HTTP text, HAR 1.2 and our JSON export (pure functions)."""

from benji_desktop.interchange.curl import parse_curl, to_curl
from benji_desktop.interchange.detect import detect_and_parse, detect_format
from benji_desktop.interchange.har import exchanges_to_har, har_to_exchanges
from benji_desktop.interchange.json_export import exchanges_to_json, json_to_exchanges
from benji_desktop.interchange.model import HttpExchange, HttpRequest, InterchangeError
from benji_desktop.interchange.raw_http import parse_raw_http

__all__ = [
    "HttpExchange",
    "HttpRequest",
    "InterchangeError",
    "detect_and_parse",
    "detect_format",
    "exchanges_to_har",
    "exchanges_to_json",
    "har_to_exchanges",
    "json_to_exchanges",
    "parse_curl",
    "parse_raw_http",
    "to_curl",
]
