"""tap-thrive: Thrive Learning REST API v1."""
