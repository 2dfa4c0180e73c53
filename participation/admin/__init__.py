"""Site management by the team: people's roles, and setting up processes and their rounds."""
