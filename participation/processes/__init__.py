"""Processes, their two rounds and the themes of round 1."""
