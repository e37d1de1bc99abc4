"""Models of the clocks app."""
