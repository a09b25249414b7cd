"""Analytics: what every other context recorded, turned into numbers people act on.

`score` holds the engagement score and its normalised form, `vectors` the user x entity
interaction matrix and the cosine similarities recommendations come from, `summaries` the
stored metrics and their daily series, `jobs` the recompute job, `recompute` the recompute use
case, `services` the read side (summaries, recommendations, job requests), `handlers` the
consumers that move counters between recomputes. See docs/analytics.md.
"""
