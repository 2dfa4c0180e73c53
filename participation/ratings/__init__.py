"""Process rating (waarderingscijfer): a participant's 1–10 score of a round, once per round."""
