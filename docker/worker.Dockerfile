# syntax=docker/dockerfile:1.7
# The Ray image of the RayCluster (head and workers) and of the RayJob that runs
# `python -m workers up`: Ray's own image (same Ray and Python as docker/worker.txt) plus the
# project's pins, todo_app and workers. Runs as Ray's non-root user (uid 1000).
# Build from the repository root: docker build -f docker/worker.Dockerfile -t .../worker:TAG .

FROM rayproject/ray:2.60.0-py311 AS build
WORKDIR /home/ray/build
COPY --chown=1000:100 docker/worker.txt pyproject.toml ./
# The workers' lock (no Reflex, no embedded broker), hashes checked.
RUN pip install --no-cache-dir --user --require-hashes -r worker.txt
COPY --chown=1000:100 todo_app ./todo_app
COPY --chown=1000:100 workers ./workers
RUN pip install --no-cache-dir --user --no-deps .

FROM rayproject/ray:2.60.0-py311 AS runtime
COPY --from=build --chown=1000:100 /home/ray/.local /home/ray/.local
ENV PYTHONUNBUFFERED=1 PATH=/home/ray/.local/bin:$PATH
USER 1000:100
WORKDIR /home/ray
