"""The app as ``wanjia serve`` runs it in gunicorn's gevent worker (app/production.py).

The worker has patched the standard library before importing this module, so Flask-SocketIO
runs in gevent mode here (websockets through simple-websocket), redis-py's and psycopg's waits
yield to other phones, and nothing starts the embedded Celery worker.
"""

from __future__ import annotations

from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app, tls

application = create_app(
    {
        "SOCKETIO_ASYNC_MODE": "gevent",
        # TLS ends at the proxy in front (nginx): cookies are for HTTPS only.
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
    }
)
# The setup page shows what the proxy serves: phones install the instance's own authority
# from here, and officers compare its fingerprint.
application.config.update(
    tls.at_the_proxy(Path(application.instance_path), application.config.get("TLS_CERT"))
)
_proxies = int(application.config.get("PROXIES") or 0)
if _proxies:
    # The caller's address (rate limits, logs) and scheme (links, secure cookies) as the
    # trusted proxies saw them; the proxy passes Host as it came. A forwarding header a phone
    # sent itself is not believed beyond the trusted count.
    application.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        application.wsgi_app, x_for=_proxies, x_proto=_proxies
    )
