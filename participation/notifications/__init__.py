"""Reply notifications by e-mail, per process: every reply, a daily digest, or nothing."""
