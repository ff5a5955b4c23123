"""tap-primetric: Primetric API (beta)."""
