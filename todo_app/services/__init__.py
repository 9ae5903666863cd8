"""Use cases over a Session: what the UI, REST API, chat and workers all call."""
