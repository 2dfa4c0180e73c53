"""The draft (concept) of the policy document: versions, numbered sections, the reading view."""
