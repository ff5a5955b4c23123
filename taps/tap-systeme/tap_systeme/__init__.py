"""tap-systeme: the systeme.io public API."""
