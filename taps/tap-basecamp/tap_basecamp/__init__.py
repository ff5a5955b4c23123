"""tap-basecamp: Basecamp 3/4 API."""
