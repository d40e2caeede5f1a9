# The service image: one image, one process per container (`nearmiss api`, `nearmiss worker`,
# one-shot `nearmiss migrate` and `nearmiss temporal-setup`); see docker-compose.yml.
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
RUN pip install . \
    && useradd --system --create-home --uid 10001 nearmiss

USER nearmiss
WORKDIR /home/nearmiss
ENV NEARMISS_DATA_DIR=/home/nearmiss/var
EXPOSE 8000
ENTRYPOINT ["nearmiss"]
CMD ["--help"]
