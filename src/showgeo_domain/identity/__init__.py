"""Identity: users, roles, passwords and the refresh-token families behind sessions."""
