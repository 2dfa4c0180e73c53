"""Invitations by e-mail: read along in round 2, or take part fully."""
