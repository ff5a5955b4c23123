"""``make bench``: each tap against the bare-Python limit and dlt's rest_api source.

Run ``python -m bench --help``; ``bench/README.md`` explains what is measured and how.
"""
