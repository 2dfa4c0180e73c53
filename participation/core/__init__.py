"""What every feature stands on, knowing no feature: configuration, extensions, the database
base and mixins, time, forms, security, i18n, sanitising, spam checks, uploads, rate limits,
caching, resilience, errors, templating and roles."""
