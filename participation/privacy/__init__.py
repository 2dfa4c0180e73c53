"""Privacy (AVG/GDPR) rights: see and download your data, delete your account, consent to the
privacy statement, and the retention purge the municipality runs from cron."""
