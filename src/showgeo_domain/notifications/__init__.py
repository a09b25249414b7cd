"""Notifications: each user's inbox, unread counts and preferences, filled by consumers of
other contexts' events with set-based fan-out."""
