"""Background Ray actors that consume Kafka: recurrence, reminders, notifications, audit.

They import the domain of todo_app (models, services, core); todo_app never imports them.
"""
