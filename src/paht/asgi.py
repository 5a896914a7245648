"""`uvicorn paht.asgi:app`: the application built from the environment's settings."""

import gc

from paht.main import create_app

app = create_app()

# Everything built so far (modules, routes, schemas, mappers: ~170,000 objects) lives as long as
# the process. Frozen, the collector's full passes skip it: a full pass took up to 220 ms under map requests
# (issue 7, W5 at 100,000 reports: the slowest requests were those that waited for one) and ~10 ms frozen.
gc.collect()
gc.freeze()
