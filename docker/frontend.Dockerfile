# syntax=docker/dockerfile:1.7
# The static UI: `reflex export --frontend-only` with REFLEX_API_URL = the public URL of the
# ingress (the export bakes it in), served by unprivileged nginx on 8080.
# docker build -f docker/frontend.Dockerfile --build-arg REFLEX_API_URL=https://todo.example.com \
#   -t .../frontend:TAG .

FROM python:3.12.12-slim-bookworm AS build
ARG REFLEX_API_URL
ARG BUN_VERSION=1.4.5
ENV PIP_NO_CACHE_DIR=1 REFLEX_TELEMETRY_ENABLED=false REFLEX_API_URL=${REFLEX_API_URL}
RUN test -n "$REFLEX_API_URL" || (echo "--build-arg REFLEX_API_URL=https://your.host is required" && exit 1)
RUN apt-get update && apt-get install -y --no-install-recommends npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN npm install --prefix .tools --no-save --no-audit --no-fund @oven/bun-linux-x64@${BUN_VERSION}
ENV REFLEX_BUN_PATH=/app/.tools/node_modules/@oven/bun-linux-x64/bin/bun
COPY docker/web.txt pyproject.toml ./
# The web images' lock (no Ray, no embedded broker), hashes checked.
RUN pip install --require-hashes -r web.txt
COPY rxconfig.py ./
COPY reflex.lock ./reflex.lock
COPY todo_app ./todo_app
# --no-zip leaves the static site in .web/build/client.
RUN reflex export --frontend-only --no-zip

FROM nginxinc/nginx-unprivileged:1.29.3-alpine AS runtime
COPY docker/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/.web/build/client /usr/share/nginx/html
USER 101:101
EXPOSE 8080
