"""The full-text query language, compiled to a safe SQLite FTS5 expression.

Users write words (all must match), ``"quoted phrases"``, ``prefix*``, ``OR``, ``NOT`` and
parentheses. Every word and phrase is re-quoted as an FTS5 string, so nothing a user types
reaches FTS5 as syntax (no column filters, ``NEAR`` or ``^``), and every malformed query is
reported here as a ``ValueError`` rather than by SQLite.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

_OPERATORS = {"AND", "OR", "NOT"}
_MAX_DEPTH = 32


@dataclass
class _Token:
    kind: str  # "word", "phrase", "(", ")", "AND", "OR", "NOT"
    text: str = ""
    prefix: bool = False


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char))
            i += 1
        elif char == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise ValueError("a quoted phrase is not closed")
            prefix = end + 1 < n and query[end + 1] == "*"
            tokens.append(_Token("phrase", query[i + 1 : end], prefix))
            i = end + (2 if prefix else 1)
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"':
                i += 1
            word = query[start:i]
            if word in _OPERATORS:
                tokens.append(_Token(word))
            else:
                prefix = word.endswith("*")
                tokens.append(_Token("word", word.rstrip("*"), prefix))
    return tokens


def _searchable(text: str) -> bool:
    # FTS5's unicode61 tokenizer keeps letters and digits; anything else only separates.
    return any(char.isalnum() for char in text)


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> str | None:
        expr = self.or_expr(0)
        token = self.peek()
        if token is not None:
            raise ValueError(f"unexpected {_describe(token)}")
        return expr

    def or_expr(self, depth: int) -> str | None:
        parts = [self.and_expr(depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            if (nxt := self.peek()) is None or nxt.kind in (")", "OR", "AND"):
                raise ValueError("OR needs a term on each side")
            parts.append(self.and_expr(depth))
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else "(" + " OR ".join(kept) + ")"

    def and_expr(self, depth: int) -> str | None:
        expr: str | None = None
        seen_operand = False
        while (token := self.peek()) is not None and token.kind not in (")", "OR"):
            if token.kind == "AND":
                self.take()
                if not seen_operand:
                    raise ValueError("AND needs a term on each side")
                if (nxt := self.peek()) is None or nxt.kind in (")", "OR", "AND"):
                    raise ValueError("AND needs a term on each side")
                continue
            if token.kind == "NOT":
                self.take()
                if not seen_operand:
                    raise ValueError("NOT needs a term before it, e.g. 'error NOT timeout'")
                operand = self.operand(depth)
                if expr is not None and operand is not None:
                    expr = f"({expr} NOT {operand})"
                continue
            operand = self.operand(depth)
            seen_operand = True
            if operand is not None:
                expr = operand if expr is None else f"({expr} AND {operand})"
        if not seen_operand:
            nxt = self.peek()
            if nxt is None:
                raise ValueError("the query is empty")
            if nxt.kind == "OR":
                raise ValueError("OR needs a term on each side")
            raise ValueError(f"unexpected {_describe(nxt)}")
        return expr

    def operand(self, depth: int) -> str | None:
        token = self.peek()
        if token is None:
            raise ValueError("the query ends where a term was expected")
        if token.kind == "(":
            if depth >= _MAX_DEPTH:
                raise ValueError("parentheses are nested too deeply")
            self.take()
            inner = self.or_expr(depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise ValueError("a parenthesis is not closed")
            self.take()
            return inner
        if token.kind in ("word", "phrase"):
            self.take()
            if not _searchable(token.text):
                return None
            quoted = '"' + token.text.replace('"', '""') + '"'
            return quoted + "*" if token.prefix else quoted
        raise ValueError(f"unexpected {_describe(token)}")


def _describe(token: _Token) -> str:
    if token.kind in ("word", "phrase"):
        return f"term {token.text!r}"
    return f"'{token.kind}'"


def compile_query(query: str) -> str:
    """Compile a user query into an FTS5 MATCH expression; ``ValueError`` when malformed."""
    # FTS5 reads its expression as a C string, so a NUL would cut a quoted term short.
    # The tokenizer only ever separates words at one, as at a space.
    tokens = _tokenize(query.replace("\x00", " "))
    if not tokens:
        raise ValueError("the query is empty")
    expr = _Parser(tokens).parse()
    if expr is None:
        raise ValueError("the query has no word to search for (letters or digits)")
    return expr


# Facet tokens: exact-match tokens in the `facets` column. Hex keeps any value a single
# token of letters and digits, and the two-letter prefixes keep kinds apart; no word a
# user can search for reaches that column (see ``scoped``).
TEXT_COLUMNS = "{message source search_tags search_meta}"


# Cached: the writer thread builds every ingested entry's facets while holding the GIL,
# and the same tenants, sources and tags come back entry after entry (hex-encoding them
# afresh was a tenth of the writer's Python work).
@functools.lru_cache(maxsize=1024)
def tenant_token(tenant: str) -> str:
    return "zt" + tenant.encode().hex()


def level_token(severity: int) -> str:
    return f"zl{severity}"


@functools.lru_cache(maxsize=4096)
def source_token(source: str) -> str:
    return "zs" + source.encode().hex()


@functools.lru_cache(maxsize=4096)
def tag_token(tag: str) -> str:
    return "zg" + tag.encode().hex()


def facets(tenant: str, severity: int, source: str | None, tags: list[str]) -> str:
    """The ``facets`` column of one entry."""
    text = f"{tenant_token(tenant)} zl{severity}"
    if source is not None:
        text += " " + source_token(source)
    for tag in tags:
        text += " " + tag_token(tag)
    return text


def value_phrase(value: str) -> str | None:
    """The FTS5 phrase of a metadata string value in ``search_meta``; None if it has no word.

    Every string in an entry's metadata is in its ``search_meta`` column (see ingest), so
    an entry whose metadata holds ``value`` matches this phrase: it narrows a metadata
    filter to candidate rows, which the filter itself then checks exactly.
    """
    value = value.replace("\x00", " ")
    if not _searchable(value):
        return None
    quoted = value.replace('"', '""')
    return f'search_meta : "{quoted}"'


def scoped(
    expression: str | None,
    tenant: str,
    levels: list[int],
    sources: list[str],
    tags: list[str],
    narrowing: list[str] = [],  # noqa: B006 - never mutated
) -> str:
    """``expression`` (from ``compile_query``) limited to the text columns, to ``tenant``,
    and to any of ``levels``, any of ``sources`` and every one of ``tags``, and every one
    of the ``narrowing`` terms (see :func:`value_phrase`)."""

    def facet(token: str) -> str:
        return f'facets : "{token}"'

    parts = [facet(tenant_token(tenant))]
    if levels:
        parts.append("(" + " OR ".join(facet(level_token(n)) for n in levels) + ")")
    if sources:
        parts.append("(" + " OR ".join(facet(source_token(s)) for s in sources) + ")")
    parts.extend(facet(tag_token(tag)) for tag in tags)
    parts.extend(narrowing)
    if expression is not None:
        parts.append(f"{TEXT_COLUMNS} : ({expression})")
    return " AND ".join(parts)
