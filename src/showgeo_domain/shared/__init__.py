"""The shared kernel every bounded context builds on."""
