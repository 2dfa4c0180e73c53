"""The API's OpenAPI 3 document, written by hand beside the views it describes.

Hand-written rather than generated (apiflask, flask-smorest): the API is a dozen GET
operations whose answers are plain dicts from participation.api.services, and the parts that
matter here (problem+json errors, the NL API Design Rules' paging links and API-Version header,
ETags, CORS) are this package's own either way. The tests check that it is valid OpenAPI 3 and
that every answer matches it (schemathesis), so it cannot drift from the code unnoticed.
"""
from __future__ import annotations

from .services import DISPOSITIONS, ROUND_KINDS

#: Semantic version of the API; the major version is the one in the path (/api/v1).
VERSION = "1.0.0"
PER_PAGE_DEFAULT = 20
PER_PAGE_MAX = 100


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(description: str = "", *, nullable: bool = False, fmt: str | None = None,
            enum: tuple[str, ...] | None = None) -> dict:
    schema: dict = {"type": "string"}
    if fmt:
        schema["format"] = fmt
    if enum:
        schema["enum"] = list(enum)
    if nullable:
        schema["nullable"] = True
        if enum:
            schema["enum"] = [*enum, None]
    if description:
        schema["description"] = description
    return schema


def _object(properties: dict, description: str = "", *, nullable: bool = False) -> dict:
    schema = {"type": "object", "required": list(properties), "properties": properties,
              "additionalProperties": False}
    if description:
        schema["description"] = description
    if nullable:
        schema["nullable"] = True
    return schema


_ID = {"type": "integer", "description": "Stable identifier."}
_LINK = _object({"href": _string(fmt="uri")})
_TEXT = _string("The text as written, in Markdown.")
_TEXT_HTML = _string("The same text as HTML, cleaned with an allow-list when it was saved.")

SCHEMAS = {
    "Index": _object({"version": _string("The full version of the API."),
                      "_links": {"type": "object", "additionalProperties": _ref("Link")}}),
    "Link": _LINK,
    "PageLinks": {
        "type": "object", "required": ["self", "first", "last"], "additionalProperties": False,
        "properties": {name: _ref("Link") for name in ("self", "first", "last", "prev", "next")}},
    "Process": _object({
        "id": _ID, "slug": _string("The process's name in addresses."), "title": _string(),
        "summary": _string(), "intro_html": _TEXT_HTML,
        "created_at": _string(fmt="date-time"),
        "draft_version": {"type": "integer", "nullable": True,
                          "description": "Number of the latest published draft version."},
        "_links": {"type": "object", "additionalProperties": _ref("Link")},
    }),
    "Round": _object({
        "id": _ID, "kind": _string("input: round 1 (themes); feedback: round 2 (the draft).",
                                   enum=ROUND_KINDS),
        "opens_at": _string(fmt="date-time"), "closes_at": _string(fmt="date-time"),
        "state": _string(enum=("upcoming", "open", "closed")),
        "moderation": _string("pre: new items wait for the team; post: published at once.",
                              enum=("pre", "post")),
        "audience": _string(enum=("registered", "invited")),
    }),
    "Theme": _object({
        "id": _ID, "title": _string(), "description": _string(), "position": {"type": "integer"},
        "retired": {"type": "boolean", "description": "Takes no new input; keeps what it has."},
    }),
    "Section": _object({
        "id": {"type": "integer", "description": "Stable across draft versions (the lineage)."},
        "number": _string(), "heading": _string(), "name": _string('"3.2 Heading"'),
        "level": {"type": "integer"}, "text": _TEXT, "text_html": _TEXT_HTML,
        "version": {"type": "integer", "description": "The version this wording is from."},
        "current": {"type": "boolean", "description": "In the latest published version."},
    }),
    "Stakeholder": _object({
        "name": _string('The organisation, or a resident as "Inwoner N" (numbered as in the '
                        "participation document)."),
        "kind": _string(enum=("business", "education", "government", "civil_society", "other",
                              "individual")),
    }),
    "SectionRef": _object({"id": _ID, "name": _string('"3.2 Heading"')}),
    "ResponseSummary": _object({
        "id": _ID, "disposition": _string(enum=DISPOSITIONS), "text": _TEXT,
        "text_html": _TEXT_HTML,
        "sections": {"type": "array", "items": _ref("SectionRef"),
                     "description": "Where in the draft the input was taken up."},
    }, "The municipality's published response.", nullable=True),
    "TeamReply": _object({"text": _TEXT, "text_html": _TEXT_HTML,
                          "created_at": _string(fmt="date-time")}),
    "Contribution": _object({
        "id": _ID, "round": _string(enum=("input",)),
        "theme": _object({"id": {"type": "integer", "nullable": True}, "title": _string()}),
        "title": _string(), "text": _TEXT, "text_html": _TEXT_HTML,
        "created_at": _string(fmt="date-time"), "stakeholder": _ref("Stakeholder"),
        "received_offline": _string("How input given offline reached the team.", nullable=True),
        "response": _ref("ResponseSummary"),
    }),
    "Comment": _object({
        "id": _ID, "round": _string(enum=("feedback",)),
        "section": _object({"id": {"type": "integer", "nullable": True}, "name": _string()}),
        "in_reply_to": _object({
            "id": {"type": "integer", "nullable": True,
                   "description": "The comment replied to, when it is published too."},
            "summary": _string("Who it answers and the start of their text.", nullable=True),
        }, nullable=True),
        "text": _TEXT, "text_html": _TEXT_HTML, "created_at": _string(fmt="date-time"),
        "stakeholder": _ref("Stakeholder"),
        "team_replies": {"type": "array", "items": _ref("TeamReply")},
        "response": _ref("ResponseSummary"),
    }),
    "Response": _object({
        "id": _ID, "disposition": _string(enum=DISPOSITIONS), "text": _TEXT,
        "text_html": _TEXT_HTML,
        "sections": {"type": "array", "items": _ref("SectionRef")},
        "round": _string(enum=ROUND_KINDS),
        "target": _object({"type": _string(enum=("contribution", "comment")), "id": _ID}),
        "theme_id": {"type": "integer", "nullable": True},
        "section_id": {"type": "integer", "nullable": True},
    }),
    "Problem": {
        "type": "object", "required": ["type", "title", "status", "detail"],
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": _string(), "title": _string(), "status": {"type": "integer"},
            "detail": _string(), "instance": _string(),
            "invalid-params": {"type": "array", "items": _object(
                {"name": _string(), "reason": _string()})},
        }},
}

#: Name of each collection in its page: {"contributions": [...], ...}.
COLLECTIONS = {"Process": "processes", "Round": "rounds", "Theme": "themes",
               "Section": "sections", "Contribution": "contributions", "Comment": "comments",
               "Response": "responses"}
for _schema, _key in COLLECTIONS.items():
    SCHEMAS[f"{_schema}Page"] = _object({
        "_links": _ref("PageLinks"), "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX},
        "total": {"type": "integer", "minimum": 0}, "pages": {"type": "integer", "minimum": 1},
        _key: {"type": "array", "items": _ref(_schema)}})

HEADERS = {
    "API-Version": {"description": "The full version of the API.", "required": True,
                    "schema": {"type": "string"}},
    "ETag": {"description": "Send it back as If-None-Match: unchanged, the answer is 304.",
             "schema": {"type": "string"}},
}

PARAMETERS = {
    "slug": {"name": "slug", "in": "path", "required": True,
             "schema": {"type": "string", "maxLength": 80}},
    "id": {"name": "id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": 2 ** 62}},
    "page": {"name": "page", "in": "query", "description": "From 1.",
             "schema": {"type": "integer", "minimum": 1, "maximum": 2 ** 62, "default": 1}},
    "per_page": {"name": "per_page", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX,
                            "default": PER_PAGE_DEFAULT}},
    "theme": {"name": "theme", "in": "query", "description": "A theme's id.",
              "schema": {"type": "integer", "minimum": 1, "maximum": 2 ** 62}},
    "section": {"name": "section", "in": "query", "description": "A section's id.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 2 ** 62}},
    "disposition": {"name": "disposition", "in": "query",
                    "schema": {"type": "string", "enum": list(DISPOSITIONS)}},
    "round": {"name": "round", "in": "query",
              "schema": {"type": "string", "enum": list(ROUND_KINDS)}},
}


def _problem(description: str) -> dict:
    return {"description": description,
            "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
            "content": {"application/problem+json": {"schema": _ref("Problem")}}}


RESPONSES = {
    "BadRequest": _problem("A parameter is not valid (see invalid-params)."),
    "NotFound": _problem("No such process or item, or not published."),
    "TooManyRequests": _problem("Over the rate limit; Retry-After says how long to wait."),
    "NotModified": {"description": "Unchanged since the ETag sent as If-None-Match.",
                    "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"},
                                "ETag": {"$ref": "#/components/headers/ETag"}}},
}


def _operation(summary: str, schema: str, parameters: list[str], *, item: bool = False,
               description: str = "") -> dict:
    responses = {
        "200": {"description": summary,
                "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"},
                            "ETag": {"$ref": "#/components/headers/ETag"}},
                "content": {"application/json": {"schema": _ref(schema)}}},
        "304": {"$ref": "#/components/responses/NotModified"},
        "429": {"$ref": "#/components/responses/TooManyRequests"},
    }
    # Also without parameters: one it does not know is refused.
    responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if "slug" in parameters or item:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    operation = {"summary": summary, "operationId": summary.lower().replace(" ", "_")
                 .replace("'", ""), "responses": responses,
                 "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in parameters]}
    if description:
        operation["description"] = description
    return {"get": operation}


_PAGED = ["page", "per_page"]
PATHS = {
    "/": _operation("Get index", "Index", [], description="Links to the collections and this "
                    "document (/api/v1/openapi.json)."),
    "/processes": _operation("List processes", "ProcessPage", _PAGED,
                             description="Public processes, newest first."),
    "/processes/{slug}": _operation("Get process", "Process", ["slug"]),
    "/processes/{slug}/rounds": _operation("List rounds", "RoundPage", ["slug", *_PAGED]),
    "/processes/{slug}/themes": _operation("List themes", "ThemePage", ["slug", *_PAGED]),
    "/processes/{slug}/sections": _operation(
        "List sections", "SectionPage", ["slug", *_PAGED],
        description="The published draft's sections, by their stable ids."),
    "/processes/{slug}/contributions": _operation(
        "List contributions", "ContributionPage",
        ["slug", "theme", "disposition", *_PAGED],
        description="Round-1 input as in the public participation document, oldest first."),
    "/processes/{slug}/contributions/{id}": _operation(
        "Get contribution", "Contribution", ["slug", "id"], item=True),
    "/processes/{slug}/comments": _operation(
        "List comments", "CommentPage", ["slug", "section", "disposition", *_PAGED],
        description="Round-2 comments as in the public participation document, oldest first."),
    "/processes/{slug}/comments/{id}": _operation(
        "Get comment", "Comment", ["slug", "id"], item=True),
    "/processes/{slug}/responses": _operation(
        "List responses", "ResponsePage",
        ["slug", "round", "theme", "section", "disposition", *_PAGED],
        description="The municipality's published responses. `section`: responses that name "
                    "that section as where the input was taken up."),
    "/processes/{slug}/responses/{id}": _operation(
        "Get response", "Response", ["slug", "id"], item=True),
}


def openapi(server_url: str) -> dict:
    """The document, with this site's address as its server."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Participation open data",
            "version": VERSION,
            "description": "Read-only open data of the participation processes: what "
                           "stakeholders brought in, as published in the participation "
                           "document, and what the municipality did with it.",
            "contact": {"name": "The municipality's project team"},
        },
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "parameters": PARAMETERS, "headers": HEADERS,
                       "responses": RESPONSES},
    }
