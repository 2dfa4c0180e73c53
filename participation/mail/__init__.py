"""Outgoing mail: an outbox table written with the change it reports, delivered by a sender."""
