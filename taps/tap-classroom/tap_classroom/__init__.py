"""tap-classroom: Google Classroom API v1."""
