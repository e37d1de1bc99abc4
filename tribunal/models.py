"""Models of the tribunal app."""
