"""The REST API under /api/v1, health and metrics: thin routes over the services."""

API_PREFIX = "/api/v1"
