# gisplan application image; the database is a separate PostGIS (see docker-compose.yml).
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gisplan ./gisplan
COPY api ./api
COPY layers ./layers
COPY web ./web
COPY data ./data
# a wheel install: layers/, web/ and data/ are bundled into the package (gisplan/_data)
RUN pip install --no-cache-dir . \
 && useradd --system --home-dir /app gisplan
USER gisplan
ENV GISPLAN_HOST=0.0.0.0 GISPLAN_PORT=8000
EXPOSE 8000
CMD ["gisplan", "serve"]
