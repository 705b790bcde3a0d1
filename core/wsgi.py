"""WSGI entry point for production servers: `gunicorn 'core.wsgi:app'`.

One database by default: the app reloads itself when addons are installed or removed
(see core.web.reloading). With `orgs_database_url` set, many organizations: each request
is served by the app of the organization its host name maps to (core.orgs.dispatch).
"""
from core.config import load_settings
from core.web.serving import wsgi_application

app = wsgi_application(load_settings())
