"""Models of the agency_api app."""
