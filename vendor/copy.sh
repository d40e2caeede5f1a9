#!/bin/sh
# Copy the files /docs and /redoc need from vendor/node_modules into $1 (api/static/vendor).
set -eu
src="$(dirname "$0")/node_modules"
out="$1"
mkdir -p "$out"
cp "$src/swagger-ui-dist/swagger-ui-bundle.js" "$src/swagger-ui-dist/swagger-ui.css" \
   "$src/swagger-ui-dist/favicon-32x32.png" "$out/"
cp "$src/swagger-ui-dist/LICENSE" "$out/swagger-ui.LICENSE"
# ReDoc's sidebar shows Redocly's logo from their CDN; an empty data: image hides it (its
# onError handler removes it) and nothing leaves the network.
sed 's#https://cdn[.]redoc[.]ly/redoc/logo-mini[.]svg#data:,#' \
    "$src/redoc/bundles/redoc.standalone.js" > "$out/redoc.standalone.js"
cp "$src/redoc/LICENSE" "$out/redoc.LICENSE"
