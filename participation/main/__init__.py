"""Site-wide pages: home, privacy and accessibility statements, language choice."""
