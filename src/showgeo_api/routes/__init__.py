"""One module per context: controllers with their request and response schemas."""
