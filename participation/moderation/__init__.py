"""Moderation and the municipality's responses: the queue, flags, hiding, answers."""
