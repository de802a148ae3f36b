"""`/_emulator/*`: the control surface for tests and benchmarks (not part of Intercom's API).

No authentication, no rate limit, no faults. Routes:

  GET  /_emulator/stats                      request counts by endpoint and outcome, 429s, faults
  POST /_emulator/reset                      back to the generated workspace; counters zeroed
  GET  /_emulator/ground_truth?stream=S      NDJSON of S: contacts, conversations, admins, teams,
                                             data_attributes, deleted_contacts, merged_contacts,
                                             manifest
  GET  /_emulator/workspace                  size, seed, as-of date, counts
  GET  /_emulator/config                     the knobs;  PUT: change some of them
  POST /_emulator/conversations              create an admin-initiated conversation
  POST /_emulator/conversations/{id}/state   {"state": "closed"|"open"|"snoozed", ...}
  PUT  /_emulator/conversations/{id}/custom_attributes   set attributes without checks
  PUT  /_emulator/contacts/{id}/custom_attributes        set attributes without type checks
  POST /_emulator/simulate_day               {"share": 0.02, "seed": 1}: a day's changes to that
                                             share of the conversations (benchmarks)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from fake_intercom.config import KnobError
from fake_intercom.errors import ApiError, parameter_invalid

if TYPE_CHECKING:
    from fake_intercom.app import EmulatorApp


def control_routes(app: EmulatorApp) -> list[Route]:
    from fake_intercom.app import error_response, json_body, json_response

    backend = app.backend

    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            try:
                result = await handler(request)
            except ApiError as error:
                return error_response(error)
            except KnobError as error:
                return error_response(parameter_invalid(str(error)))
            return result if isinstance(result, Response) else json_response(result)

        return endpoint

    async def stats(request: Request) -> Any:
        return app.stats_snapshot()

    async def reset(request: Request) -> Any:
        backend.reset()
        app.reset_counters()
        return {"reset": True, "counts": backend.counts()}

    async def ground_truth(request: Request) -> Any:
        stream = request.query_params.get("stream", "")
        records = backend.iter_ground_truth(stream)
        first = next(records, None)  # validates the stream name before streaming starts

        def lines():
            if first is not None:
                yield orjson.dumps(first) + b"\n"
            for record in records:
                yield orjson.dumps(record) + b"\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    async def workspace(request: Request) -> Any:
        return backend.workspace | {"counts": backend.counts()}

    async def get_config(request: Request) -> Any:
        return app.config.public()

    async def put_config(request: Request) -> Any:
        changes = await json_body(request)
        if not isinstance(changes, dict):
            raise KnobError("the body must be a JSON object of knob names and values")
        app.apply_config(app.config.updated(changes))
        return app.config.public()

    async def create_conversation(request: Request) -> Any:
        body = await json_body(request)
        allowed = {
            "contact_ids",
            "admin_id",
            "body",
            "state",
            "custom_attributes",
            "admin_assignee_id",
            "team_assignee_id",
            "created_at",
            "closed_at",
            "snoozed_until",
            "source_type",
            "check_attributes",
        }
        unknown = sorted(set(body) - allowed)
        if unknown or not isinstance(body.get("contact_ids"), list):
            raise parameter_invalid(
                f"contact_ids (a list) is required; allowed keys: {', '.join(sorted(allowed))}"
            )
        return backend.create_conversation(**body)

    async def change_state(request: Request) -> Any:
        conversation_id = request.path_params["conversation_id"]
        body = await json_body(request)
        state, admin = body.get("state"), body.get("admin_id")
        if state == "closed":
            return backend.close_conversation(conversation_id, admin)
        if state == "open":
            return backend.open_conversation(conversation_id, admin)
        if state == "snoozed":
            until = body.get("snoozed_until")
            if not isinstance(until, int):
                raise parameter_invalid("snoozed_until (unix seconds) is required")
            return backend.snooze_conversation(conversation_id, until, admin)
        raise parameter_invalid("state must be closed, open or snoozed")

    async def raw_conversation_attributes(request: Request) -> Any:
        return backend.set_conversation_attributes_raw(
            request.path_params["conversation_id"], await _object(request)
        )

    async def raw_contact_attributes(request: Request) -> Any:
        return backend.set_contact_attributes_raw(
            request.path_params["contact_id"], await _object(request)
        )

    async def _object(request: Request) -> dict[str, Any]:
        body = await json_body(request)
        if not isinstance(body, dict):
            raise parameter_invalid("the body must be a JSON object of attribute values")
        return body

    async def simulate_day(request: Request) -> Any:
        body = await _object(request)
        unknown = sorted(set(body) - {"share", "seed"})
        if unknown or "share" not in body:
            raise parameter_invalid('the body is {"share": 0 < number <= 1, "seed": integer}')
        return backend.simulate_day(body["share"], body.get("seed", 0))

    prefix = "/_emulator"
    table = (
        ("GET", "/stats", stats),
        ("POST", "/reset", reset),
        ("GET", "/ground_truth", ground_truth),
        ("GET", "/workspace", workspace),
        ("GET", "/config", get_config),
        ("PUT", "/config", put_config),
        ("POST", "/conversations", create_conversation),
        ("POST", "/conversations/{conversation_id}/state", change_state),
        ("PUT", "/conversations/{conversation_id}/custom_attributes", raw_conversation_attributes),
        ("PUT", "/contacts/{contact_id}/custom_attributes", raw_contact_attributes),
        ("POST", "/simulate_day", simulate_day),
    )
    return [Route(prefix + path, guarded(fn), methods=[method]) for method, path, fn in table]
