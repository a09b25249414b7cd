"""HTTP plumbing shared by the JSON routes and the web pages: authentication, the caller's
identity, the client's address, problem+json errors, security headers, throttling, range
requests and streamed multipart uploads. Nothing here knows a context's use cases."""
