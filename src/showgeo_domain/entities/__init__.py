"""Entities: the creators and organisations that go live and sell, their teams and verification."""
