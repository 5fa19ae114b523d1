# Claimtrace API server (CPU). Build: docker build -t claimtrace .
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CLAIMTRACE_DATA_DIR=/var/lib/claimtrace

RUN useradd --create-home --uid 10001 claimtrace \
 && mkdir -p /var/lib/claimtrace && chown claimtrace /var/lib/claimtrace

WORKDIR /srv/claimtrace
# The CPU build of torch first, so nothing pulls the CUDA packages.
RUN pip install "torch==2.13.0" --index-url "$TORCH_INDEX_URL"
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY verifier ./verifier
COPY replication ./replication
COPY migrations ./migrations
COPY examples ./examples
RUN pip install .  && python -c "import app, verifier, replication"

USER claimtrace
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["sh", "-c", "claimtrace db upgrade && exec claimtrace serve --host 0.0.0.0 --port 8000"]
