"""Site-wide pages: home, privacy statement, language choice."""
