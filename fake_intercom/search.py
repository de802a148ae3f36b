"""Intercom's search query language: validation with the real API's errors, and SQL translation.

Follows reference §5 (SPEC211 descriptions of SearchContacts and searchConversations):

* a query is one filter `{field, operator, value}` or a group `{operator: AND|OR, value: [...]}`;
  groups nest at most 2 levels deep (the root group and one level below it: the stricter reading
  of "max 2 nested filters", so a client that passes here cannot be rejected by Intercom), and a
  group holds at most 15 items;
* operators must suit the field's type. Contacts: string `= != IN NIN ~ !~ ^ $`; boolean
  `= != IN NIN`; integer and float `= != IN NIN < > <= >=`; date `= < >` only; `tag_id` `= !=`.
  Conversations: `= != IN NIN` on every type, `< > <= >=` on integers and dates, `~ !~ ^ $` on
  strings (`<=`/`>=` are in the 2.11 operator enum, not in the conversation table);
* contact dates (standard timestamps and Date custom attributes) compare by whole UTC day:
  `=` that day, `>` from the start of the next day, `<` before the start of that day;
  conversation dates compare to the second, strictly;
* `custom_attributes.<Name With Spaces>` on contacts is typed by the declared data attribute.
  Conversation custom attributes are not a documented search field in any spec version, so they
  are rejected like any unknown field;
* `source.body` matches per word for `= != IN NIN` ("support" matches "I need support",
  "need support" does not);
* values must match the field type: strings for strings; integers (or numeric strings, as the
  spec's own examples send) for integers and dates; booleans or "true"/"false" for booleans;
  arrays for IN/NIN. Null values are not documented and are rejected;
* negative operators (`!=`, `NIN`, `!~`) never match a record that has no value of the field's
  type (2.11; only the Preview version makes `!=` match missing values).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fake_intercom.errors import ApiError, parameter_invalid
from fake_intercom.search_fields import (
    ALL_OPERATORS,
    ATTRIBUTE_TYPES,
    BOOLEAN,
    CONTACT_FIELDS,
    CONTACT_OPERATORS,
    CONVERSATION_FIELDS,
    CONVERSATION_OPERATORS,
    DATE,
    FLOAT_TEXT,
    INTEGER,
    INTEGER_TEXT,
    NEGATIVE,
    STRING,
    TYPE_LABELS,
    Field,
)

MAX_DEPTH = 2
MAX_GROUP_ITEMS = 15
DAY = 86_400
# Sorts missing values first (ascending); small enough to survive the x1000 of a cursor.
NULL_SORT_KEY = -(2**53)
SORT_ORDERS = ("ascending", "descending")


@dataclass(frozen=True)
class Compiled:
    where: str
    params: tuple[Any, ...]
    sort_key: str  # the SQL expression whose value goes into the cursor
    sort_field: Field
    descending: bool


class SearchModel:
    """The searchable fields and rules of one endpoint (contacts or conversations)."""

    def __init__(
        self,
        model: str,
        fields: Mapping[str, Field],
        operators: Mapping[str, tuple[str, ...]],
        *,
        day_granular_dates: bool,
        default_sort: str,
    ) -> None:
        self.model = model
        self.fields = fields
        self.operators = operators
        self.day_granular_dates = day_granular_dates
        self.default_sort = default_sort

    # ------------------------------------------------------------- fields
    def field(self, name: Any, custom_types: Mapping[str, str]) -> Field:
        if not isinstance(name, str) or not name:
            raise parameter_invalid("Each filter needs a field name (a string)", "field")
        known = self.fields.get(name)
        if known is not None:
            return known
        if self.model == "contact" and name.startswith("custom_attributes."):
            attribute = name.removeprefix("custom_attributes.")
            declared = custom_types.get(attribute)
            if declared is not None:
                path = '$.custom_attributes."' + attribute + '"'
                return Field(name, ATTRIBUTE_TYPES[declared], path=path)
            raise parameter_invalid(
                f"Custom attribute '{attribute}' does not exist on {self.model}s", "field"
            )
        raise parameter_invalid(f"'{name}' is not a searchable {self.model} field", "field")

    # ---------------------------------------------------------- compile
    def compile(self, query: Any, sort: Any, custom_types: Mapping[str, str]) -> Compiled:
        """A search's `query` and `sort` as SQL over the searchable body, or Intercom's 400."""
        params: list[Any] = []
        where = self._node(query, 0, params, custom_types)
        field, descending = self._sort(sort, custom_types)
        key = field.column or f"coalesce({field.value_sql()}, {NULL_SORT_KEY})"
        return Compiled(
            where=where,
            params=tuple(params),
            sort_key=key,
            sort_field=field,
            descending=descending,
        )

    def _sort(self, sort: Any, custom_types: Mapping[str, str]) -> tuple[Field, bool]:
        if sort is None:
            return self.field(self.default_sort, custom_types), True
        if not isinstance(sort, Mapping):
            raise parameter_invalid("sort must be an object with field and order", "sort")
        order = sort.get("order", "descending")
        if order not in SORT_ORDERS:
            raise ApiError(
                400,
                "invalid_sort_order",
                f"Invalid sort order '{order}'. Must be one of: ascending, descending",
            )
        field = self.field(sort.get("field"), custom_types)
        if field.side or field.empty:
            raise parameter_invalid(f"Cannot sort by '{field.name}'", "sort")
        return field, order == "descending"

    def _node(
        self, node: Any, depth: int, params: list[Any], custom_types: Mapping[str, str]
    ) -> str:
        if not isinstance(node, Mapping):
            raise parameter_invalid("A query must be an object: a filter or a group", "query")
        if "field" in node:
            return self._filter(node, params, custom_types)
        operator = node.get("operator")
        if operator not in ("AND", "OR"):
            raise parameter_invalid(
                f"Invalid group operator {operator!r}: must be AND or OR", "operator"
            )
        depth += 1
        if depth > MAX_DEPTH:
            raise parameter_invalid(
                f"Too many nested filters: the limit is {MAX_DEPTH} levels of AND/OR", "query"
            )
        items = node.get("value")
        if not isinstance(items, list) or not items:
            raise parameter_invalid("A group's value must be a non-empty list", "value")
        if len(items) > MAX_GROUP_ITEMS:
            raise parameter_invalid(
                f"Too many filters in one {operator} group: {len(items)} "
                f"(the limit is {MAX_GROUP_ITEMS})",
                "value",
            )
        parts = [self._node(item, depth, params, custom_types) for item in items]
        return "(" + f" {operator} ".join(parts) + ")"

    def _filter(
        self, node: Mapping[str, Any], params: list[Any], custom_types: Mapping[str, str]
    ) -> str:
        field = self.field(node.get("field"), custom_types)
        operator = node.get("operator")
        if operator not in ALL_OPERATORS:
            raise parameter_invalid(f"Invalid operator {operator!r}", "operator")
        allowed = field.operators or self.operators[field.type]
        if operator not in allowed:
            raise parameter_invalid(
                f"Operator '{operator}' is not supported for {field.name} "
                f"({TYPE_LABELS[field.type]}); use one of {' '.join(allowed)}",
                "operator",
            )
        if "value" not in node:
            raise parameter_invalid(f"The filter on {field.name} has no value", "value")
        value = node["value"]
        if operator in ("IN", "NIN"):
            if not isinstance(value, list) or not value:
                raise parameter_invalid(
                    f"{operator} needs a non-empty array of values for {field.name}", "value"
                )
            values = [self._coerce(field, v) for v in value]
        else:
            values = [self._coerce(field, value)]
        if field.side:
            return self._side_filter(field, operator, values, params)
        positive = NEGATIVE.get(operator, operator)
        condition = self._condition(field, positive, values, params)
        guard = field.guard_sql()
        if operator in NEGATIVE:
            base = field.value_sql()
            present = guard or f"{base} IS NOT NULL"
            return f"({present} AND NOT {condition})"
        return f"({guard} AND {condition})" if guard else condition

    def _side_filter(
        self, field: Field, operator: str, values: list[Any], params: list[Any]
    ) -> str:
        table, column = field.side  # type: ignore[misc]
        inner = Field(field.name, field.type, column=f"s.{column}")
        condition = self._condition(inner, NEGATIVE.get(operator, operator), values, params)
        exists = f"EXISTS (SELECT 1 FROM {table} s WHERE s.conv_rowid = t.rowid AND {condition})"
        return f"NOT {exists}" if operator in NEGATIVE else exists

    def _condition(self, field: Field, operator: str, values: list[Any], params: list[Any]) -> str:
        """SQL for a positive operator (=, IN, ~, ^, $, <, >, <=, >=) on the field's value."""
        x = field.value_sql()
        if field.words and operator in ("=", "IN"):
            params.extend(values)
            return "(" + " OR ".join(f"fi_has_word({x}, ?)" for _ in values) + ")"
        if field.type == DATE and self.day_granular_dates:
            return self._day_condition(x, operator, values[0], params)
        if field.type == BOOLEAN:
            values = [1 if v else 0 for v in values]
        if operator == "=":
            params.append(values[0])
            return f"{x} = ?"
        if operator == "IN":
            params.extend(values)
            return f"{x} IN ({', '.join('?' for _ in values)})"
        if operator in ("<", ">", "<=", ">="):
            params.append(values[0])
            return f"{x} {operator} ?"
        text = values[0]
        if operator == "~":
            params.append(text)
            return f"instr(lower({x}), lower(?)) > 0"
        if operator == "^":
            params.extend([text, text])
            return f"substr(lower({x}), 1, length(?)) = lower(?)"
        if operator == "$":
            params.extend([text, text, text])
            return f"(length({x}) >= length(?) AND substr(lower({x}), -length(?)) = lower(?))"
        raise AssertionError(operator)  # pragma: no cover

    @staticmethod
    def _day_condition(x: str, operator: str, value: int, params: list[Any]) -> str:
        day = value - value % DAY  # start of the UTC day (floor, also before 1970)
        if operator == "=":
            params.extend([day, day + DAY])
            return f"({x} >= ? AND {x} < ?)"
        if operator == ">":
            params.append(day + DAY)
            return f"{x} >= ?"
        params.append(day)  # "<"
        return f"{x} < ?"

    @staticmethod
    def _coerce(field: Field, value: Any) -> Any:
        label = TYPE_LABELS[field.type]
        problem = f"The value {value!r} for {field.name} is not a valid {label}"
        if value is None:
            raise parameter_invalid(problem, "value")
        if field.type == STRING:
            if not isinstance(value, str):
                raise parameter_invalid(problem, "value")
            return value
        if field.type == BOOLEAN:
            if isinstance(value, bool):
                return value
            if value in ("true", "false"):
                return value == "true"
            raise parameter_invalid(problem, "value")
        if isinstance(value, bool):
            raise parameter_invalid(problem, "value")
        if field.type in (INTEGER, DATE):
            if isinstance(value, int):
                return value
            if isinstance(value, str) and INTEGER_TEXT.match(value.strip()):
                return int(value)
            raise parameter_invalid(problem, "value")
        if isinstance(value, int | float):
            return value
        if isinstance(value, str) and FLOAT_TEXT.match(value.strip()):
            return float(value)
        raise parameter_invalid(problem, "value")


CONTACTS = SearchModel(
    "contact",
    CONTACT_FIELDS,
    CONTACT_OPERATORS,
    day_granular_dates=True,
    # "with no sort the default is last_request_at descending" (reference §5.5);
    # last_request_at is the 1.x name of last_seen_at.
    default_sort="last_seen_at",
)
CONVERSATIONS = SearchModel(
    "conversation",
    CONVERSATION_FIELDS,
    CONVERSATION_OPERATORS,
    day_granular_dates=False,
    default_sort="updated_at",
)

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+")


def has_word(text: Any, word: Any) -> int:
    """SQLite function: does the HTML text contain `word` as a whole word (case-insensitive)?"""
    if not isinstance(text, str) or not isinstance(word, str):
        return 0
    target = word.strip().casefold()
    return int(any(w.casefold() == target for w in _WORD.findall(_TAG.sub(" ", text))))
