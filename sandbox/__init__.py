"""Local fake versions of the five APIs behind one real HTTP server (``python -m sandbox``)."""
