# gisplan application image; the database is a separate PostGIS (see docker-compose.yml).
# Browser assets (Leaflet, geographiclib) come from npm in a build stage: no CDN at run time.
FROM node:20-bookworm-slim AS web-assets
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p vendor/leaflet vendor/geographiclib vendor/geoman \
 && cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
      node_modules/leaflet/dist/images node_modules/leaflet/LICENSE vendor/leaflet/ \
 && cp node_modules/geographiclib-geodesic/geographiclib-geodesic.min.js \
      node_modules/geographiclib-geodesic/LICENSE.txt vendor/geographiclib/ \
 && cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js \
      node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css \
      node_modules/@geoman-io/leaflet-geoman-free/LICENSE vendor/geoman/ \
 && mkdir -p vendor/maplibre && cp node_modules/maplibre-gl/dist/maplibre-gl.mjs \
      node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs node_modules/maplibre-gl/dist/maplibre-gl.css \
      node_modules/maplibre-gl/LICENSE.txt vendor/maplibre/

FROM python:3.11-slim-bookworm

# fonts with Cyrillic (map labels, plates); Pango and HarfBuzz for PDF reports (weasyprint)
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gisplan ./gisplan
COPY api ./api
COPY layers ./layers
COPY web ./web
COPY --from=web-assets /web/vendor ./web/static/vendor
COPY data ./data
# a wheel install: layers/, web/ and data/ are bundled into the package (gisplan/_data)
RUN pip install --no-cache-dir . \
 && useradd --system --home-dir /app gisplan
USER gisplan
ENV GISPLAN_HOST=0.0.0.0 GISPLAN_PORT=8000
EXPOSE 8000
CMD ["gisplan", "serve"]
