"""The bare floor: a one-line WSGI app, served by the same gunicorn settings as the site (bench/server.py)."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
