"""Email groups: membership from the directory, posting policy, moderation, registrations."""
