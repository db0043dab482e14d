"""The API's error answers, raised by any route and sent by the server as ``{"error": {...}}``."""

from __future__ import annotations


class ApiError(Exception):
    """An answer with HTTP ``status`` and the API's error body; ``headers`` go with it."""

    def __init__(self, status: int, message: str, type_: str = "invalid_request_error", **kw):
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                "message": message,
                "type": type_,
                "param": kw.get("param"),
                "code": kw.get("code"),
            }
        }
        self.headers = kw.get("headers") or {}


def not_found(what: str, ident: str, param: str | None = None) -> ApiError:
    return ApiError(404, f"{what} with id '{ident}' not found.", param=param)


def invalid_url(method: str, path: str) -> ApiError:
    return ApiError(404, f"Invalid URL ({method} {path})")
