# The service image: one image, one process per container (`nearmiss api`, `nearmiss worker`,
# one-shot `nearmiss migrate` and `nearmiss temporal-setup`); see docker-compose.yml.
# Swagger UI and ReDoc for /docs and /redoc, from the pinned npm packages (no CDN at run time).
FROM node:20-slim AS vendor
WORKDIR /vendor
COPY vendor/package.json vendor/package-lock.json vendor/copy.sh ./
RUN npm ci --no-audit --no-fund --omit=peer && sh copy.sh /vendor/out

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# DejaVu Sans: embedded in pack and evidence PDFs (text outside Latin-1).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
COPY --from=vendor /vendor/out api/static/vendor
RUN pip install . \
    && useradd --system --create-home --uid 10001 nearmiss

USER nearmiss
WORKDIR /home/nearmiss
ENV NEARMISS_DATA_DIR=/home/nearmiss/var
EXPOSE 8000
ENTRYPOINT ["nearmiss"]
CMD ["--help"]
