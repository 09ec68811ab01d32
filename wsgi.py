"""WSGI entry point for people who run gunicorn themselves: `gunicorn wsgi:app`.

Run `seatunnel-rest db upgrade` once first; `seatunnel-rest serve` does both.
"""

from app import create_app

app = create_app()
