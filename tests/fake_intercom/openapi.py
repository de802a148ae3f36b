"""Validating the fake's responses against the 2.11 OpenAPI component schemas.

The spec is found at run time (never copied into the repository): $COACH_SHARED_DIR, else a
`shared/` directory found walking up from the repository root, else /work/shared.

OpenAPI 3.0 schemas are not quite JSON Schema: `nullable: true` is turned into an `anyOf` with
null. Where the 2.11 spec is known to be wrong, `PATCHES` overrides only that part, each with
the section of the reference file (shared/reference/intercom-api.md) that says why.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path("intercom-openapi/2.11/api.intercom.io.yaml")
NULLABLE_INT = {"type": "integer", "nullable": True}


def spec_path() -> Path:
    candidates = []
    if os.environ.get("COACH_SHARED_DIR"):
        candidates.append(Path(os.environ["COACH_SHARED_DIR"]))
    candidates += [parent / "shared" for parent in (ROOT, *ROOT.parents)]
    candidates.append(Path("/work/shared"))
    for directory in candidates:
        if (directory / SPEC).is_file():
            return directory / SPEC
    raise FileNotFoundError(f"{SPEC} not found; set COACH_SHARED_DIR to the shared directory")


def _patch(schemas: dict[str, Any]) -> None:
    # §4.2: `custom_attributes` is a broken $ref in 2.11; SPEC216 defines an object.
    schemas["custom_attributes"] = {"type": "object"}
    # §1.1: real responses carry pages.next = {page, starting_after}, not {per_page, ...}.
    schemas["cursor_pages"]["properties"]["next"] = {
        "type": "object",
        "properties": {"page": {"type": "integer"}, "starting_after": {"type": "string"}},
        "required": ["page", "starting_after"],
    }
    # §9: GET /data_attributes lists conversation attributes too; the enum lacks the model.
    schemas["data_attribute"]["properties"]["model"]["enum"].append("conversation")
    # §4.1: the spec's own example conversations carry `conversation_rating: null` and
    # `first_contact_reply: null`, which the schemas do not allow.
    for component in ("conversation", "conversation_list_item"):
        for name in ("conversation_rating", "first_contact_reply"):
            schemas[component]["properties"][name] = {
                "anyOf": [schemas[component]["properties"][name], {"type": "null"}]
            }
    # [inference, not in the reference] statistics of events that have not happened (a
    # conversation never closed has no last_close_at) are null; 2.11 types them integer only.
    stats = schemas["conversation_statistics"]["properties"]
    for name, prop in stats.items():
        if prop.get("type") == "integer":
            stats[name] = NULLABLE_INT | {"format": prop.get("format", "")}
    stats["last_closed_by_id"] = {"type": "string", "nullable": True}
    # [inference] a lead without an email who starts a chat is the source author: email null.
    schemas["conversation_part_author"]["properties"]["email"]["nullable"] = True


def _nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@functools.cache
def _spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with spec_path().open() as handle:
        return yaml.load(handle, Loader=loader)


def search_operators() -> list[str]:
    """The operator enum of a single search filter, as the spec lists it."""
    schema = _spec()["components"]["schemas"]["single_filter_search_request"]
    return list(schema["properties"]["operator"]["enum"])


@functools.cache
def _registry() -> Registry:
    schemas = copy.deepcopy(_spec()["components"]["schemas"])
    _patch(schemas)
    document = {"components": {"schemas": _nullable(schemas)}}
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    return Registry().with_resource("urn:intercom-2.11", resource)


def validator(component: str) -> Draft202012Validator:
    schema = {"$ref": f"urn:intercom-2.11#/components/schemas/{component}"}
    return Draft202012Validator(schema, registry=_registry())


def assert_valid(component: str, instance: Any) -> None:
    errors = sorted(validator(component).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{component}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]
    )
