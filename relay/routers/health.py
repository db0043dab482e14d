"""``GET /api/v1/health``: whether the relay runs, and what it has sent upstream (no secrets)."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter(prefix="/api/v1", tags=["health"])


@router.get("/health")
def health(request: Request) -> dict:
    relay = request.app.state.relay
    return {
        "status": "stopping" if relay.stopping else "ok",
        "database": relay.store.kind,
        "jobs": relay.runner.active,
        "subscribers": relay.bus.subscribers,
        "models": {
            "default": _model(relay, "default"),
            "deep_research": _model(relay, "deep_research"),
        },
        "upstream": relay.upstream.report(),
    }


def _model(relay, role: str) -> str | None:
    try:
        return relay.upstream.model(role)
    except Exception:  # a recording without that role
        return None
