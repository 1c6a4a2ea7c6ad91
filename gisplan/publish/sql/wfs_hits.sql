-- RESULTTYPE=hits: how many features of one feature type match (the only count the WFS makes).
SELECT count(*) FROM {relation} t WHERE {where}
