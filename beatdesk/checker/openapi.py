"""The OpenAPI 3.1 description of Beatdesk's API, served at `/api/openapi.json`."""

from beatdesk.checker.core import MAX_TEXT_LENGTH, Category, Risk, Severity

_ERROR = {"$ref": "#/components/schemas/Error"}


# NUL and unpaired surrogates are refused with 400 (nul_character, lone_surrogate) wherever
# they appear in the body: they are not text.
PLAIN_TEXT = "^[^\\u0000\\ud800-\\udfff]*$"


def _error_response(description: str) -> dict[str, object]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def schema() -> dict[str, object]:
    """Return the schema; enumerations come from the checker itself so they cannot drift."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Beatdesk API",
            "version": "1",
            "description": (
                "Check text for wording, secrecy and personal-data problems before it is "
                "published. Authenticate with a personal token (`beatdesk api-token create`) "
                "as `Authorization: Bearer <token>`, or from a signed-in browser session "
                "with the CSRF token in the `X-CSRFToken` header."
            ),
        },
        "paths": {"/api/check": {"post": _check_operation()}},
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
            "schemas": {
                "CheckRequest": _check_request(),
                "CheckResult": _check_result(),
                "Finding": _finding(),
                "Readability": _readability(),
                "Error": _error(),
            },
        },
        "security": [{"token": []}, {"session": []}],
    }


def _check_operation() -> dict[str, object]:
    return {
        "operationId": "check",
        "summary": "Check a text",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}}
            },
        },
        "responses": {
            "200": {
                "description": "The findings, in text order, and the overall risk.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/CheckResult"}}
                },
            },
            "400": _error_response("The body is not a JSON object with a text."),
            "401": _error_response("No valid token and no signed-in session."),
            "403": _error_response("A session request without a valid CSRF token."),
            "404": _error_response("The unit does not exist or is not the caller's."),
            "413": _error_response(
                f"The text is longer than {MAX_TEXT_LENGTH} characters, or the body is longer "
                "than any request with such a text can be."
            ),
            "415": _error_response("The body is not sent as application/json."),
            "429": _error_response("More than 120 checks in a minute by the same person."),
        },
    }


def _check_request() -> dict[str, object]:
    return {
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {
            "text": {
                "type": "string",
                "maxLength": MAX_TEXT_LENGTH,
                "pattern": PLAIN_TEXT,
            },
            "unit": {
                "type": ["string", "null"],
                "pattern": PLAIN_TEXT,
                "description": "Code of the unit whose wording rules apply; "
                "left out or null, the caller's highest unit.",
            },
            "wrong_characters": {
                "type": "boolean",
                "default": True,
                "description": "Also look for characters typed wrongly (slower).",
            },
        },
    }


def _check_result() -> dict[str, object]:
    return {
        "type": "object",
        "required": ["risk", "blocked", "needs_review", "findings", "readability", "unit"],
        "properties": {
            "risk": {"type": "string", "enum": [risk.value for risk in Risk]},
            "risk_label": {"type": "string"},
            "blocked": {"type": "boolean", "description": "A finding stops publishing."},
            "needs_review": {
                "type": "boolean",
                "description": "A finding needs a person's recorded confirmation.",
            },
            "findings": {
                "type": "array",
                "maxItems": 500,
                "items": {"$ref": "#/components/schemas/Finding"},
                "description": "The first 500 findings in text order.",
            },
            "findings_total": {"type": "integer", "minimum": 0},
            "readability": {"$ref": "#/components/schemas/Readability"},
            "unit": {"type": "string"},
            "lexicon_versions": {"type": "string"},
        },
    }


def _finding() -> dict[str, object]:
    return {
        "type": "object",
        "required": ["start", "end", "rule", "category", "severity", "reason"],
        "properties": {
            "start": {
                "type": "integer",
                "minimum": 0,
                "description": "Offset in characters (code points) into the text as sent.",
            },
            "end": {"type": "integer", "minimum": 0},
            "excerpt": {"type": "string"},
            "rule": {"type": "string"},
            "category": {"type": "string", "enum": [category.value for category in Category]},
            "category_label": {"type": "string"},
            "severity": {"type": "string", "enum": [severity.value for severity in Severity]},
            "severity_label": {"type": "string"},
            "reason": {"type": "string"},
            "suggestion": {"type": ["string", "null"]},
        },
    }


def _readability() -> dict[str, object]:
    span = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "required": ["score", "hardest_sentences"],
        "properties": {
            "score": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100,
                "description": "How plainly the text reads: 100 is plain, 0 very hard.",
            },
            "hardest_sentences": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["start", "end", "score"],
                    "properties": {
                        "start": span,
                        "end": span,
                        "score": {"type": "integer", "minimum": 0, "maximum": 100},
                        "excerpt": {"type": "string"},
                    },
                },
            },
        },
    }


def _error() -> dict[str, object]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
