-- Run once by the postgres image on an empty data directory: the databases Temporal's schema
-- tool fills (ops/temporal/setup-schema.sh). The service's own database is POSTGRES_DB.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
