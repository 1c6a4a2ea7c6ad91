"""Coverage gaps and siting suggestions, computed from the layers as of a date.

A gap is a derived, read-only product (one ``sql/<gap>.sql`` each, declared in its leading
comments like the indicator metrics): where the shortfall is, as GeoJSON features. Siting
suggestions choose, greedily, the candidate locations that close the most of a gap.
"""
