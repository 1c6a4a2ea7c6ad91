# gisplan: the two commands.  `make run` serves http://127.0.0.1:8000, `make test` runs the suite.
# Each installs what is missing first (Debian packages as root, the virtual environment, the
# package) and reuses what is there on a second run.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GISPLAN := $(BIN)/gisplan
# Debian packages: PostgreSQL 15 + PostGIS 3 (the private cluster), fonts with Cyrillic (map labels)
APT_PACKAGES := postgresql-15 postgresql-15-postgis-3 postgresql-client-15 fonts-dejavu-core \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
# only for the suite: docker-compose v1 checks the compose file (no Docker engine needed)
TEST_APT_PACKAGES := docker-compose gdal-bin chromium libzbar0

.PHONY: run stop test bench deps web-assets system-deps db migrate territory demo serve clean-venv check-compose

run: deps db migrate territory demo
	$(GISPLAN) serve

PYTEST_ARGS ?= --durations=15

test: deps
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(TEST_APT_PACKAGES)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

deps: system-deps $(STAMP) web-assets

# browser assets served from gisplan's own origin (no CDN): npm ci from web/package-lock.json, then
# the files the pages use are copied to web/static/vendor (axe-core stays in node_modules: tests only)
WEB_VENDOR := web/static/vendor/.installed
web-assets: $(WEB_VENDOR)

$(WEB_VENDOR): web/package.json web/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory system-deps APT_PACKAGES="nodejs npm"
	@command -v npm >/dev/null || { echo "gisplan: error: npm (Node.js) is needed to build web/static/vendor"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	rm -rf web/static/vendor && mkdir -p web/static/vendor/leaflet web/static/vendor/geographiclib web/static/vendor/geoman
	cp -r web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css \
	  web/node_modules/leaflet/dist/images web/node_modules/leaflet/LICENSE web/static/vendor/leaflet/
	cp web/node_modules/geographiclib-geodesic/geographiclib-geodesic.min.js \
	  web/node_modules/geographiclib-geodesic/LICENSE.txt web/static/vendor/geographiclib/
	cp web/node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js \
	  web/node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css \
	  web/node_modules/@geoman-io/leaflet-geoman-free/LICENSE web/static/vendor/geoman/
	mkdir -p web/static/vendor/maplibre && cp web/node_modules/maplibre-gl/dist/maplibre-gl.mjs \
	  web/node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs web/node_modules/maplibre-gl/dist/maplibre-gl.css \
	  web/node_modules/maplibre-gl/LICENSE.txt web/static/vendor/maplibre/
	mkdir -p web/static/vendor/swagger-ui && cp web/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	  web/node_modules/swagger-ui-dist/swagger-ui.css web/node_modules/swagger-ui-dist/LICENSE web/static/vendor/swagger-ui/
	@touch $@

# Debian packages: installed with apt-get when root, otherwise the command to run is printed.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	$(PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "gisplan: error: missing Debian packages:$$missing — run: sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

# benchmarks print figures and ratios against GDAL/MapServer anchors measured in the same run
bench: deps
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="gdal-bin mapserver-bin cgi-mapserver nginx wrk spawn-fcgi"
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

db: deps
	$(GISPLAN) db start

migrate: db
	$(GISPLAN) db upgrade

territory: migrate
	$(GISPLAN) territory load --publish

# the demo громади (real data and labelled samples), their programs, and the indicators; idempotent
demo: territory
	$(GISPLAN) demo load
	$(GISPLAN) indicators compute

serve: deps
	$(GISPLAN) serve

# stops the private database cluster (the server stops with Ctrl+C)
stop:
	@test -x $(GISPLAN) && $(GISPLAN) db stop || true

check-compose:
	docker-compose -f docker-compose.yml config -q

clean-venv:
	rm -rf $(VENV)
