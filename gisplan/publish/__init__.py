"""Publishing: the view service (WMS 1.3.0 / 1.1.1) rendered with Mapnik from PostGIS.

Import :mod:`gisplan.publish.proj_env` before anything that loads Mapnik: it points every PROJ
library in the process at one database they all accept (see that module).
"""
