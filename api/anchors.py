"""Where the API finds register heads anchored outside its database: Temporal's anchor workflow
and heads a reader copied from a pack or a checkpoint mail (``SEQ:HASH:SIGNATURE``)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI

from api.deps import temporal_client
from api.errors import Unprocessable
from domain import names
from domain.anchors import ANCHOR_QUERY_TIMEOUT, AnchorState
from store.register_verify import Anchor, anchors_by_register
from store.signing import head_signature_ok


async def temporal_anchors(app: FastAPI, register: str) -> tuple[list[Anchor], str]:
    """The anchor workflow's signed head of ``register`` and a word on where it came from."""
    state, where = await _anchor_state(app)
    found = anchors_by_register(state).get(register, [])
    if state.checks < 0:
        return [], where
    return found, "temporal anchor checked" if found else "not anchored in temporal yet"


async def every_temporal_anchor(app: FastAPI) -> tuple[dict[str, list[Anchor]], str]:
    """Every register's signed head the anchor workflow holds (one query for a whole page)."""
    state, where = await _anchor_state(app)
    return anchors_by_register(state), where or "temporal anchor checked"


async def _anchor_state(app: FastAPI) -> tuple[AnchorState, str]:
    """The anchor workflow's state (``checks`` -1 and a word on why when it cannot be asked)."""
    try:
        client = await temporal_client(app)
        handle = client.get_workflow_handle(names.REGISTER_ANCHOR_ID)
        state = await handle.query(
            names.QUERY_ANCHORS, result_type=AnchorState, rpc_timeout=ANCHOR_QUERY_TIMEOUT
        )
    except Exception as exc:  # noqa: BLE001 - verification still runs on the database alone
        return AnchorState(checks=-1), f"temporal anchor unavailable ({type(exc).__name__})"
    return state, ""


def reader_anchors(public: Ed25519PublicKey, register: str, heads: list[str]) -> list[Anchor]:
    """Heads given as ``SEQ:HASH:SIGNATURE``; 422 naming one malformed or not signed by the
    service (a mistyped or forged copy says nothing about the register)."""
    anchors = []
    for index, head in enumerate(heads):
        parts = head.split(":")
        message = None
        if len(parts) != 3 or not parts[0].isdigit() or int(parts[0]) < 1:
            message = "expected SEQ:HASH:SIGNATURE"
        elif not head_signature_ok(public, register, int(parts[0]), parts[1], parts[2]):
            message = "signature is not the service's for this register, seq and hash"
        if message:
            raise Unprocessable("invalid head", [{"field": f"head.{index}", "message": message}])
        anchors.append(Anchor(register, int(parts[0]), parts[1], parts[2], "the given head"))
    return anchors
