"""Organisations and who may speak for them: the team's queue, and members confirming others."""
