"""The audit trail: who did what, when, with before and after; written by services, never edited."""
