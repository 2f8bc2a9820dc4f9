#!/bin/sh
# azd preprovision hook (azure.yaml). azd exports the environment's values (.azure/<env>/.env)
# to this script and reads them back afterwards, so a value set here reaches main.parameters.json.
set -eu

if [ -z "${GOODSTART_AAD_CLIENT_ID:-}" ]; then
  echo "GOODSTART_AAD_CLIENT_ID is not set. Register the Entra app first (docs/deploy.md):" >&2
  echo "  ./scripts/entra-app.sh" >&2
  echo "  azd env set GOODSTART_AAD_CLIENT_ID <the client id it prints>" >&2
  exit 1
fi

command -v az >/dev/null 2>&1 || { echo "The Azure CLI (az) is needed: docs/deploy.md, Prerequisites." >&2; exit 1; }

# The cross-school index keys its UPN hashes with CROSS_SCHOOL_KEY, kept in Key Vault. It is made
# here once, for the first provision of an environment (no Key Vault yet); later provisions pass
# none and Bicep leaves the secret as it is, because a new key would orphan every stored hash.
if [ -z "${CROSS_SCHOOL_KEY:-}" ]; then
  vaults=$(az resource list --tag "azd-env-name=${AZURE_ENV_NAME}" --query "[?type=='Microsoft.KeyVault/vaults'].name" -o tsv)
  if [ -z "$vaults" ]; then
    key=$(node -e "process.stdout.write(require('node:crypto').randomBytes(48).toString('base64url'))")
    azd env set CROSS_SCHOOL_KEY "$key" >/dev/null
    echo "preprovision: generated CROSS_SCHOOL_KEY for the first provision of ${AZURE_ENV_NAME}; it goes to Key Vault."
  fi
fi
