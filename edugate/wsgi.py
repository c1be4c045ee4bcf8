"""WSGI entry point for Granian (`edugate up`) and other WSGI servers.

Granian puts the whole process environment into each request's WSGI environ, so Django would
see ``EDUGATE_DATABASE_URL`` (with its password) and the other settings in ``request.META``,
where debug pages and error reports show it. Those keys are taken out of every request.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugate.settings")

#: what the process environment may legitimately share with a request's environ
_REQUEST_KEYS = frozenset({
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE",
    "CONTENT_LENGTH", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR",
    "REMOTE_PORT", "REMOTE_HOST", "REMOTE_USER", "HTTPS", "GATEWAY_INTERFACE", "RAW_URI",
})


def without_process_environment(app: Callable[..., Iterable[bytes]],
                                process_keys: frozenset[str]) -> Callable[..., Iterable[bytes]]:
    """``app`` seeing no key of ``process_keys`` (the server's own environment) in a request's
    environ, unless it is a request variable (CGI's, ``HTTP_*``, ``wsgi.*``)."""
    leaked = frozenset(key for key in process_keys
                       if key not in _REQUEST_KEYS and not key.startswith(("HTTP_", "wsgi.")))

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        for key in leaked.intersection(environ):
            del environ[key]
        return app(environ, start_response)

    return application


application = without_process_environment(get_wsgi_application(), frozenset(os.environ))
