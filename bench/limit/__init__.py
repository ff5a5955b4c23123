"""The bare loops: per tap, the same pages the tap requests, with nothing but one
``requests.Session`` and msgspec. Their speed is the practical limit of Python on that work."""
