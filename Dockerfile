# syntax=docker/dockerfile:1
# Showgeo's image: the wheel only, on a slim Python, run by a non-root user.
#   docker build -t showgeo .
#   docker run -p 8000:8000 --env-file .env showgeo              # the API (default command)
#   docker run --env-file .env showgeo showgeo worker             # the worker
#   docker run --env-file .env showgeo showgeo db upgrade         # the migrations
# compose.yaml runs the whole stack; docs/deployment.md explains it.

FROM python:3.11-slim AS builder
WORKDIR /src
RUN pip install --no-cache-dir --disable-pip-version-check "build>=1.2"
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m build --wheel --outdir /dist

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=builder /dist/ /tmp/dist/
RUN pip install /tmp/dist/showgeo-*.whl && rm -rf /tmp/dist \
    && useradd --system --uid 10001 --user-group --home-dir /app --create-home showgeo
USER showgeo
WORKDIR /app
EXPOSE 8000
# Ready means the process can do real work (its database answers); slim has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=2).status == 200 else 1)"]
CMD ["showgeo", "serve", "--host", "0.0.0.0", "--port", "8000"]
