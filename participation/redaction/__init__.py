"""Personal data in published text: found on save, suggested to the team, redacted once agreed."""
