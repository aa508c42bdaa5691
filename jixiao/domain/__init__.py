"""domain: the shared vocabulary of every stage (lights, severities, statuses, labels)."""
