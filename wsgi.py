"""WSGI entry point for people who run gunicorn themselves: `gunicorn wsgi:app -b HOST:PORT`.

Run `seatunnel-rest db upgrade` once first; `seatunnel-rest serve` does both. The node registers
with the address gunicorn actually listens on (`-b`), whatever `http.port` the file says.
"""

from app import create_app
from app.config import load_settings
from app.gc_tuning import tune_for_serving
from app.served import with_served_address

app = create_app(with_served_address(load_settings()))
tune_for_serving()
