#!/bin/sh
# The service's namespace on the fresh cluster (the plain server image creates none), with the
# retention of closed workflows' histories. Idempotent.
set -eu
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1 \
  || temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" \
       --retention "$RETENTION"
