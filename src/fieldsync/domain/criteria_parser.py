"""Reading criteria text: a hand-written tokenizer and recursive-descent parser.

The grammar (keywords in any case; ``docs/criteria.md`` has the full reference)::

    criteria   = [ any ] END
    any        = all { "or" all }
    all        = term { "and" term }
    term       = "(" any ")" | condition
    condition  = field ( compare value | "is" [ "not" ] "empty"
                       | [ "not" ] "in" "(" [ value { "," value } ] ")" )
    compare    = "==" | "!=" | ">" | ">=" | "<" | "<=" | [ "not" ] "contains"
               | "starts" "with" | "ends" "with" | "before" | "after"
    field      = identifier | `back quoted`
    value      = "double quoted" | 'single quoted' | number | "true" | "false"

An identifier is ``[A-Za-z_][A-Za-z0-9_.]*`` and not a keyword; a number is
``-?[0-9]+(.[0-9]+)?``. Quoted text takes the escapes ``\\\\ \\" \\' \\` \\n \\r \\t`` and
``\\uXXXX``/``\\UXXXXXXXX``. Nothing is evaluated: text only ever becomes a tree of
:class:`ParsedGroup` and :class:`ParsedCondition` values, which
:meth:`fieldsync.domain.criteria.Criteria.parse` turns into criteria. The parser knows
nothing of ``Criteria`` (the criteria module imports this one, never the reverse).
"""

from __future__ import annotations

import enum
import re
import string
from decimal import Decimal

import attrs

from fieldsync.domain.criteria_operators import Operator
from fieldsync.domain.errors import CriteriaSyntaxError

__all__ = [
    "IDENTIFIER",
    "KEYWORDS",
    "MAX_DEPTH",
    "ParsedCondition",
    "ParsedGroup",
    "parse_criteria",
]

MAX_DEPTH = 100
"""How deep groups (parentheses) may nest."""

KEYWORDS = frozenset(
    {"and", "or", "not", "in", "contains", "starts", "ends", "with", "is", "empty"}
    | {"before", "after", "true", "false"}
)
"""Words of the language (any case); a field with one of these names is written in backquotes."""

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*", re.ASCII)
"""A field name that needs no backquotes (unless it is a keyword)."""

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_WORD_CHAR = re.compile(r"[A-Za-z0-9_.]")
_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "`": "`", "n": "\n", "r": "\r", "t": "\t"}
_SYMBOLS = ("==", "!=", ">=", "<=", ">", "<", "(", ")", ",")
_COMPARISONS = {
    op.value: op
    for op in (Operator.EQ, Operator.NE, Operator.GT, Operator.GE, Operator.LT, Operator.LE)
}
_WORD_OPERATORS = {
    "contains": Operator.CONTAINS,
    "before": Operator.BEFORE,
    "after": Operator.AFTER,
    "in": Operator.IN,
}


class _Kind(enum.Enum):
    WORD = "word"  # an identifier or a keyword
    FIELD = "field"  # a `back quoted` field name
    TEXT = "text"  # a quoted value
    NUMBER = "number"
    SYMBOL = "symbol"  # an operator sign, a parenthesis or a comma
    END = "end"


@attrs.frozen
class _Token:
    kind: _Kind
    text: str  # as written, for messages
    value: object
    position: int

    def is_symbol(self, symbol: str) -> bool:
        return self.kind is _Kind.SYMBOL and self.text == symbol

    @property
    def word(self) -> str | None:
        """The keyword this token is (lower case), if it is a word."""
        return self.text.lower() if self.kind is _Kind.WORD else None

    def describe(self) -> str:
        if self.kind is _Kind.END:
            return "the end of the text"
        return repr(self.text if len(self.text) <= 30 else self.text[:29] + "…")


@attrs.frozen
class ParsedCondition:
    """One condition as written: ``field op value`` (no value for ``is empty``, a tuple
    for ``in``)."""

    field: str
    op: Operator
    value: object = None


@attrs.frozen
class ParsedGroup:
    """Items joined by ``and`` (``combinator`` ``"all"``) or ``or`` (``"any"``)."""

    combinator: str
    items: tuple[ParsedCondition | ParsedGroup, ...]


_Node = ParsedCondition | ParsedGroup


def parse_criteria(text: str) -> ParsedGroup:
    """Parse criteria text; blank text is an ``"all"`` group of no items.

    Raises:
        CriteriaSyntaxError: with what was expected and the position where it was not found.
    """
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    def error(self, message: str, position: int) -> CriteriaSyntaxError:
        return CriteriaSyntaxError(message, text=self.text, position=position)

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind is not _Kind.END:
            self.index += 1
        return token

    def expect_word(self, word: str, after: str) -> None:
        token = self.take()
        if token.word != word:
            message = f"expected '{word}' after '{after}', found {token.describe()}"
            raise self.error(message, token.position)

    def parse(self) -> ParsedGroup:
        if self.peek().kind is _Kind.END:
            return ParsedGroup("all", ())
        node = self.any()
        token = self.peek()
        if token.kind is not _Kind.END:
            message = f"expected 'and', 'or' or the end of the criteria, found {token.describe()}"
            raise self.error(message, token.position)
        return ParsedGroup("all", (node,))

    def any(self) -> _Node:
        items = [self.all()]
        while self.peek().word == "or":
            self.take()
            items.append(self.all())
        return items[0] if len(items) == 1 else ParsedGroup("any", tuple(items))

    def all(self) -> _Node:
        items = [self.term()]
        while self.peek().word == "and":
            self.take()
            items.append(self.term())
        return items[0] if len(items) == 1 else ParsedGroup("all", tuple(items))

    def term(self) -> _Node:
        opening = self.peek()
        if not opening.is_symbol("("):
            return self.condition()
        if self.depth == MAX_DEPTH:
            message = f"parentheses nest deeper than {MAX_DEPTH} levels"
            raise self.error(message, opening.position)
        self.take()
        self.depth += 1
        node = self.any()
        closing = self.take()
        if not closing.is_symbol(")"):
            message = (
                f"expected ')' to close the '(' at position {opening.position}, "
                f"found {closing.describe()}"
            )
            raise self.error(message, closing.position)
        self.depth -= 1
        return node

    def condition(self) -> ParsedCondition:
        token = self.take()
        if token.kind is _Kind.FIELD or (token.kind is _Kind.WORD and token.word not in KEYWORDS):
            field = str(token.value)
        else:
            message = f"expected a field name or '(', found {token.describe()}"
            if token.word in KEYWORDS:
                message += f" (write `{token.text}` in backquotes for a field of that name)"
            raise self.error(message, token.position)
        op, after = self.operator(token)
        if op in (Operator.IS_EMPTY, Operator.IS_NOT_EMPTY):
            return ParsedCondition(field, op)
        if op in (Operator.IN, Operator.NOT_IN):
            return ParsedCondition(field, op, self.values(after))
        return ParsedCondition(field, op, self.value(after))

    def operator(self, field: _Token) -> tuple[Operator, str]:
        """The operator after a field, and its text as written (for messages)."""
        token = self.take()
        word = token.word
        if token.kind is _Kind.SYMBOL and token.text in _COMPARISONS:
            return _COMPARISONS[token.text], token.text
        if word in ("starts", "ends"):
            self.expect_word("with", token.text)
            return (Operator.STARTS_WITH if word == "starts" else Operator.ENDS_WITH), "with"
        if word == "is":
            following = self.take()
            if following.word == "empty":
                return Operator.IS_EMPTY, following.text
            if following.word == "not":
                self.expect_word("empty", "is not")
                return Operator.IS_NOT_EMPTY, "empty"
            message = f"expected 'empty' or 'not empty' after 'is', found {following.describe()}"
            raise self.error(message, following.position)
        if word == "not":
            following = self.take()
            if following.word == "contains":
                return Operator.NOT_CONTAINS, following.text
            if following.word == "in":
                return Operator.NOT_IN, following.text
            message = f"expected 'contains' or 'in' after 'not', found {following.describe()}"
            raise self.error(message, following.position)
        if word in _WORD_OPERATORS:
            return _WORD_OPERATORS[word], token.text
        message = f"expected an operator after {field.text}, found {token.describe()}"
        raise self.error(message, token.position)

    def value(self, after: str) -> object:
        token = self.take()
        if token.kind in (_Kind.TEXT, _Kind.NUMBER):
            return token.value
        if token.word in ("true", "false"):
            return token.word == "true"
        message = f"expected a value after '{after}', found {token.describe()}"
        if token.kind is _Kind.WORD:
            message += f' (quote text values: "{token.text}")'
        raise self.error(message, token.position)

    def values(self, after: str) -> tuple[object, ...]:
        opening = self.take()
        if not opening.is_symbol("("):
            message = f"expected '(' and a list of values after '{after}', found "
            raise self.error(message + opening.describe(), opening.position)
        if self.peek().is_symbol(")"):
            self.take()
            return ()
        items = [self.value(after)]
        while True:
            token = self.take()
            if token.is_symbol(")"):
                return tuple(items)
            if not token.is_symbol(","):
                message = f"expected ',' or ')' in the list of values, found {token.describe()}"
                raise self.error(message, token.position)
            items.append(self.value(","))


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, end = 0, len(text)
    while True:
        while position < end and text[position].isspace():
            position += 1
        if position == end:
            tokens.append(_Token(_Kind.END, "", None, end))
            return tokens
        token = _token_at(text, position)
        tokens.append(token)
        position += len(token.text)


def _token_at(text: str, position: int) -> _Token:
    char = text[position]
    if word := IDENTIFIER.match(text, position):
        return _Token(_Kind.WORD, word.group(), word.group(), position)
    if number := _NUMBER.match(text, position):
        written = number.group()
        if _WORD_CHAR.match(text, number.end()):
            raise CriteriaSyntaxError("malformed number", text=text, position=position)
        value = Decimal(written)
        return _Token(_Kind.NUMBER, written, int(value) if "." not in written else value, position)
    if char in "\"'`":
        content, stop = _quoted(text, position)
        kind = _Kind.FIELD if char == "`" else _Kind.TEXT
        if kind is _Kind.FIELD and not content:
            raise CriteriaSyntaxError("empty field name", text=text, position=position)
        return _Token(kind, text[position:stop], content, position)
    for symbol in _SYMBOLS:
        if text.startswith(symbol, position):
            return _Token(_Kind.SYMBOL, symbol, symbol, position)
    message = f"unexpected character {char!r}"
    if char == "=":
        message += " (compare with '==')"
    elif char.isalpha():
        message += " (write field names with other characters in backquotes: `Ciudad año`)"
    raise CriteriaSyntaxError(message, text=text, position=position)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The unescaped content of the quoted text at ``start``, and where it stops."""
    mark, position = text[start], start + 1
    parts: list[str] = []
    while position < len(text):
        char = text[position]
        if char == mark:
            return "".join(parts), position + 1
        if char != "\\" or position + 1 == len(text):
            parts.append(char)
            position += 1
            continue
        escaped = text[position + 1]
        if escaped in _ESCAPES:
            parts.append(_ESCAPES[escaped])
            position += 2
        elif escaped in "uU":
            width = 4 if escaped == "u" else 8
            digits = text[position + 2 : position + 2 + width]
            if len(digits) != width or not set(digits) <= set(string.hexdigits):
                message = f"expected {width} hex digits after '\\{escaped}'"
                raise CriteriaSyntaxError(message, text=text, position=position)
            if int(digits, 16) > 0x10FFFF:
                message = f"'\\{escaped}{digits}' is not a character"
                raise CriteriaSyntaxError(message, text=text, position=position)
            parts.append(chr(int(digits, 16)))
            position += 2 + width
        else:
            message = f"unknown escape '\\{escaped}'"
            raise CriteriaSyntaxError(message, text=text, position=position)
    what = "field name" if mark == "`" else "text"
    raise CriteriaSyntaxError(f"unterminated {what}: no closing {mark}", text=text, position=start)
