"""Stage 3: archived documents -> the canonical record of the report form.

from nianbao.parse import parse_bytes, parse_path
result = parse_bytes(data, source="https://…/report.pdf")
result.record   # the spec's record (dict), exactly the keys of ../shared/spec
result.text     # the document's full text, for search
"""

from nianbao.parse.document import PARSER_VERSION, ParseResult, parse_bytes, parse_path

__all__ = ["PARSER_VERSION", "ParseResult", "parse_bytes", "parse_path"]
