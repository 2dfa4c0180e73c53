"""Long work off the request: a job table as the truth, Huey to carry the news to workers."""
