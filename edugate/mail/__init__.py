"""Mail: mailboxes, addresses and their lifecycle (control side of the mail plane)."""
