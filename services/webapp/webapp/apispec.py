"""The JSON API's plumbing: flask-smorest blueprints whose request bodies can never cause a 500.

webargs turns malformed JSON into a 400 but lets two kinds through as errors of the server: an
integer longer than Python reads by default, and arrays nested deeper than its recursion limit.
"""

from __future__ import annotations

import json

from flask_smorest import Api, Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser


class _SafeJsonParser(FlaskParser):
    def _raw_load_json(self, req):
        if not core.is_json(req.mimetype):
            return core.missing
        try:
            return core.parse_json(req.get_data(cache=True))
        except json.JSONDecodeError as error:
            return self._handle_invalid_json_error(error, req)
        except (ValueError, RecursionError) as error:
            return self._handle_invalid_json_error(json.JSONDecodeError(str(error), "", 0), req)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = _SafeJsonParser()


def init_app(app, blueprints) -> Api:
    app.config.update(API_TITLE="VividArt Studio", API_VERSION="1", OPENAPI_VERSION="3.0.3",
                      OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json")
    api = Api(app, spec_kwargs={"info": {"description": "Shoots, uploads, edits and client galleries. Staff calls "
                                                        "take a session cookie or `Authorization: Bearer <api token>`."}})
    api.spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return api
