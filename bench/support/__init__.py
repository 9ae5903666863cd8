"""What every benchmark needs and none should write for itself.

- `run`: paths, logging, SIGTERM handling, writing a result file;
- `stats`: timing a call, percentiles of samples, ratios and verdicts against a same-run
  baseline;
- `database`: a scratch database (created, migrated with `reflex db migrate`, dropped), COPY;
- `servers`: the backend (`reflex run --backend-only`), the bare API (uvicorn) and the whole
  app with its UI (`reflex run --env prod`), each on a free port, stopped with its process group;
- `pipeline`: bus settings for the embedded broker, a local Ray cluster;
- `browser`: a signed-in Chromium page that timestamps itself, and the bare Reflex round trip;
- `seeds`: the vocabulary of generated tasks;
- `listing`: the task list through the API and through its own statement, COPY of seeded tasks;
- `tables`: the verdict table a benchmark prints, Markdown tables.
"""
