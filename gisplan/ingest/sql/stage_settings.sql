-- After COPY, on the fast path (the codes by location were found while checking, so there is no
-- join by location and no probe index to build). No ANALYZE either: a temporary table is planned
-- from its actual size, which is all the key checks and the INSERT need. The sorts of the key
-- checks and of the INSERT (file order) stay in memory; JIT compiles nothing worth its start-up.
SET LOCAL jit = off;
SET LOCAL work_mem = '64MB';
