"""The todo app: Reflex UI and REST API over a domain shared with the background workers."""
