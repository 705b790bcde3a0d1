"""WSGI entry point for production servers: `gunicorn 'core.wsgi:app'`.

The app reloads itself when addons are installed or removed (see core.web.reloading).
"""
from core.app import create_app
from core.web.reloading import ReloadingApp

app = ReloadingApp(create_app)
