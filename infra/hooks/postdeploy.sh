#!/bin/sh
# azd postdeploy hook (azure.yaml): builds the add-in for this deployment and uploads it to the
# add-in storage account's static website. azd exports the provisioned outputs (GOODSTART_API_URL,
# ADDIN_BASE_URL, GOODSTART_AAD_*, ADDIN_STORAGE_ACCOUNT_NAME) to this script, and npm run build:addin
# reads them (scripts/buildAddin.ts). Uploads use the signed-in identity (--auth-mode login): the
# account has shared keys off, and the deployer holds Storage Blob Data Contributor on it (resources.bicep).
set -eu

: "${ADDIN_STORAGE_ACCOUNT_NAME:?not set: run azd provision first}"

npm run build:addin

# Idempotent: turns the static website on (its $web container) the first time.
az storage blob service-properties update \
  --account-name "$ADDIN_STORAGE_ACCOUNT_NAME" --auth-mode login \
  --static-website --index-document taskpane.html --404-document taskpane.html >/dev/null

az storage blob upload-batch \
  --account-name "$ADDIN_STORAGE_ACCOUNT_NAME" --auth-mode login \
  --destination '$web' --source dist --overwrite --only-show-errors >/dev/null

echo "postdeploy: the add-in is at ${ADDIN_BASE_URL:-?} (manifest: ${ADDIN_BASE_URL:-?}manifest.xml)"
