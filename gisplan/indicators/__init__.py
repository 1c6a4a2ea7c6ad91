"""Spatial indicators computed by PostGIS from the layers, reproducibly, as of a date.

* :mod:`.registry`: the metrics, declared in ``sql/*.sql`` (geometric queries), ``attribute.yaml``
  (counts and shares of a layer's features) and ``platform.yaml`` (what the platform publishes);
* :mod:`.engine`: evaluation per громада (and per settlement) as of a date, stored in
  ``indicator_value`` with numerator, denominator, method, parameters and the input datasets' change
  counters; a value whose inputs have not changed is read back, not recomputed;
* :mod:`.binding` and :mod:`.progress`: program indicators bound to metrics, and their progress
  against the program's targets.
"""
