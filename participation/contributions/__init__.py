"""Round-1 input (inbreng) on themes, with optional position papers."""
