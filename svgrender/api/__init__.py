"""HTTP API (Starlette): routes, API-key middleware, views, OpenAPI."""
