#!/bin/sh
# The step after an upgrade (docs/deploy.md): asks the deployed API to take every stored return
# into the city rollup (POST /api/rollup/rebuild). The work runs in Azure as the Function App's
# managed identity; this script only signs the request as you, who must be an LA admin of Good
# Start (BOOTSTRAP_LA_ADMIN, or one an LA admin made). Run it from the repository, in the azd
# environment, after `az login` as that person. Running it again is harmless.
set -eu

api=${GOODSTART_API_URL:-$(azd env get-value GOODSTART_API_URL)}
scope=${GOODSTART_API_SCOPE:-$(azd env get-value GOODSTART_API_SCOPE)}
# scripts/entra-app.sh pre-authorises the Azure CLI for the API's scope, so az can get this token.
token=$(az account get-access-token --scope "$scope" --query accessToken -o tsv)
curl --fail-with-body -sS -X POST -H "Authorization: Bearer $token" -H 'Accept: application/json' "$api/rollup/rebuild"
echo
