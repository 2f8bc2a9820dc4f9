#!/bin/sh
# azd preprovision hook (azure.yaml). azd exports the environment's values (.azure/<env>/.env)
# to this script and reads them back afterwards, so a value set here reaches main.parameters.json.
set -eu

if [ -z "${GOODSTART_AAD_CLIENT_ID:-}" ]; then
  echo "GOODSTART_AAD_CLIENT_ID is not set. Register the Entra app first (docs/deploy.md):" >&2
  echo "  ./scripts/entra-app.sh <add-in base URL or https://placeholder.invalid/>" >&2
  echo "  azd env set GOODSTART_AAD_CLIENT_ID <the client id it prints>" >&2
  exit 1
fi

# The cross-school index keys its UPN hashes with CROSS_SCHOOL_KEY. Made once per environment,
# kept in the azd environment (and in Key Vault, which the app reads); never changed, because a
# new key orphans every hash already stored.
if [ -z "${CROSS_SCHOOL_KEY:-}" ]; then
  if command -v az >/dev/null 2>&1 && [ -n "${AZURE_ENV_NAME:-}" ] &&
    [ -n "$(az resource list --tag "azd-env-name=${AZURE_ENV_NAME}" --resource-type Microsoft.KeyVault/vaults --query '[].name' -o tsv 2>/dev/null)" ]; then
    echo "CROSS_SCHOOL_KEY is not in this azd environment, but environment ${AZURE_ENV_NAME} is already deployed." >&2
    echo "A new key would orphan the cross-school index. Ask a Key Vault administrator for the secret" >&2
    echo "'cross-school-key' and run: azd env set CROSS_SCHOOL_KEY '<value>' (docs/deploy.md, 'A new machine')." >&2
    exit 1
  fi
  key=$(node -e "process.stdout.write(require('node:crypto').randomBytes(48).toString('base64url'))")
  azd env set CROSS_SCHOOL_KEY "$key" >/dev/null
  echo "preprovision: generated CROSS_SCHOOL_KEY for environment ${AZURE_ENV_NAME:-?} (stored in Key Vault on provision)."
fi
