"""WSGI entry point for Granian (`edugate up`) and other WSGI servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugate.settings")
application = get_wsgi_application()
