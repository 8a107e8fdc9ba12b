# CPU-only image of samverkansbot. The embedding model is converted and corpus/ is indexed
# at build time, so the container starts answering at once. Build: docker build -t samverkansbot .
# Run:   docker run --env-file .env -v samverkansbot-data:/app/var samverkansbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /app

# Tesseract with its Swedish data: scanned PDF pages are read by OCR (ingest/ocr.py). Not pinned
# (DL3008): the versions are those of the base image's Debian release, and a pin would break the
# build when python:3.11-slim moves to the next release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-swe \
    && rm -rf /var/lib/apt/lists/*

# The CPU build of torch first, so that sentence-transformers finds it and pulls no CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

RUN groupadd --gid 10001 samverkan \
    && useradd --create-home --uid 10001 --gid 10001 samverkan \
    && chown samverkan:samverkan /app

COPY --chown=samverkan:samverkan . .
RUN pip install --no-cache-dir .

# Everything from here on, and the running bot, is the unprivileged user (numeric, so that
# Kubernetes' runAsNonRoot can verify it). Convert the model, index corpus/: ingest's exit
# status 1 means some files could not be read and the rest was indexed (as in `make index`).
USER 10001:10001
RUN python scripts/convert_model.py \
    && { python -m ingest || [ "$?" -eq 1 ]; } \
    && mkdir -p /app/var
VOLUME ["/app/var"]

# Only used in HTTP mode (SLACK_MODE=http); Socket Mode needs no inbound port.
EXPOSE 3000
HEALTHCHECK --interval=60s --timeout=30s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot", "serve"]
