"""Accounts: registration, confirmation, login, password reset and profile."""
