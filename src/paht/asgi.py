"""`uvicorn paht.asgi:app`: the application built from the environment's settings."""

from paht.main import create_app

app = create_app()
