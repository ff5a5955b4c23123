"""dlt's ``rest_api_source`` built from each tap's seed document, pointed at the sandbox.

Runs in ``.venv-bench`` (dlt and its dependencies apart from the taps'). Each module keeps the
seed's configuration as written and marks every change with ``# ADAPTED:``; its ``ADAPTATIONS``
list says the same for the report.
"""
