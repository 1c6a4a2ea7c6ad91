-- After the joins by location (which rewrite rows): the index that finds a row's feature.
{key_index}
