# syntax=docker/dockerfile:1.7
# The Reflex backend (REST API, websocket, health, metrics) and the migration Job's image.
# Build from the repository root: docker build -f docker/backend.Dockerfile -t .../backend:TAG .
# Runs `reflex run --env prod --backend-only` as uid 10001 (no shell needed at runtime).

FROM python:3.12.12-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY docker/web.txt pyproject.toml ./
# The web images' lock (no Ray, no embedded broker), hashes checked.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes -r web.txt
COPY rxconfig.py alembic.ini ./
COPY alembic ./alembic
COPY todo_app ./todo_app
RUN /opt/venv/bin/pip install --no-deps . && /opt/venv/bin/python -m compileall -q todo_app

FROM python:3.12.12-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    HOME=/tmp
RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --no-create-home app
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
USER 10001:10001
EXPOSE 8000
CMD ["reflex", "run", "--env", "prod", "--backend-only", "--backend-host", "0.0.0.0", "--backend-port", "8000"]
