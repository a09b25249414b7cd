"""Showgeo's domain: aggregates, policies, events, ports and use cases.

Pure Python: imports only the standard library, msgspec and numpy/scipy, and never does I/O.
"""
