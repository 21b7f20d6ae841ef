"""The API's JSON parser: the pages' own (annotate/web/http.py,
``read_json_body``), so a body is refused by the API exactly as by the
pages, with the same limit and the same messages in the one error shape.

DRF's JSONParser would read any body the server lets in (10 MB), let a
deeply nested one raise RecursionError (a 500) and pass Python's advice
about ``sys.set_int_max_str_digits()`` on to a client."""

from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

from annotate.web.http import read_json_body


class JsonParser(BaseParser):
    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        return read_json_body(parser_context["request"], stream=stream)
