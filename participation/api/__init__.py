"""The read-only open-data API (/api/v1): what the public participation document publishes."""
