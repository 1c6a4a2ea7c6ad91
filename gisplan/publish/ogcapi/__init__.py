"""OGC API – Features (Part 1 core, Part 2 CRS, Part 3 filtering with CQL2) over the layer catalogue.

Written here rather than served by tipg: tipg refreshes its catalogue by scanning the tables on a
timer and names collections ``schema.table`` (``pub.shelters``), while our collection ids are the
layer names and the ``pub`` views are fixed by the catalogue.

- :mod:`.crs`: the CRS URIs offered (CRS84, EPSG 4326, 3857, 5561) and the PostGIS expressions;
- :mod:`.queryables`: the properties a caller may see and filter on, with their types;
- :mod:`.params`: the items query parameters (bbox, datetime, limit, cursor, property filters);
- :mod:`.cql2`: CQL2 text/JSON parsed by pygeofilter into SQL with bound parameters;
- :mod:`.items`: pages of features from the ``pub`` views (``items.sql``), GeoJSON text spliced;
- :mod:`.collections`: collection documents with describedby, license and enclosure links;
- :mod:`.documents`: landing page and conformance; :mod:`.openapi`: the OpenAPI 3.0 document.
"""
