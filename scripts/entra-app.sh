#!/bin/sh
# Creates or updates Good Start's Entra app registration, and prints the two settings the
# deployment needs: GOODSTART_AAD_CLIENT_ID and GOODSTART_API_SCOPE (docs/deploy.md).
#
#   ./scripts/entra-app.sh                       before the first `azd up`: creates the registration
#   ./scripts/entra-app.sh <ADDIN_BASE_URL>      after it: adds the add-in's redirect URIs
#                                                (or, in an azd environment, it reads ADDIN_BASE_URL)
#
# One registration is both the add-in's client and the API: the pane signs in with its client id
# and asks for api://<client id>/access_as_user; the API accepts tokens whose audience is that id.
# It is multi-tenant (AzureADMultipleOrgs) because schools and trusts sign in from their own tenants.
# Run it as someone who may create app registrations (Application Developer or above). It uses only
# the Azure CLI (az login first) and Microsoft Graph through `az rest`. Running it again is safe:
# it finds the registration by GOODSTART_AAD_CLIENT_ID or by name, and keeps the scope's id.
#
# It has not been run from this repository's test machines (no Azure there); docs/deploy.md gives
# the same steps in the Entra admin centre.
set -eu

NAME=${GOODSTART_APP_NAME:-Good Start}
SCOPE=access_as_user
# Microsoft's Azure CLI, pre-authorised for the scope so an LA admin can call admin operations
# with `az account get-access-token` (infra/hooks/rollup-rebuild.sh). It still needs the person's
# membership: the API authorises the person, not the client.
AZURE_CLI_APP_ID=04b07795-8ddb-461a-bbee-02f9e1bf7b46

command -v az >/dev/null 2>&1 || { echo "entra-app.sh: the Azure CLI (az) is needed" >&2; exit 1; }

base_url=${1:-${ADDIN_BASE_URL:-}}
if [ -z "$base_url" ] && command -v azd >/dev/null 2>&1; then
  base_url=$(azd env get-value ADDIN_BASE_URL 2>/dev/null || true)
fi
case "$base_url" in
  '') ;;
  https://*/) ;;
  *) echo "entra-app.sh: ADDIN_BASE_URL must be an https URL ending in / (got '$base_url')" >&2; exit 2 ;;
esac

app_id=${GOODSTART_AAD_CLIENT_ID:-}
if [ -z "$app_id" ]; then
  app_id=$(az ad app list --display-name "$NAME" --query '[0].appId' -o tsv)
fi
if [ -z "$app_id" ]; then
  app_id=$(az ad app create --display-name "$NAME" --sign-in-audience AzureADMultipleOrgs --query appId -o tsv)
  echo "entra-app.sh: created the app registration '$NAME' ($app_id)" >&2
else
  echo "entra-app.sh: updating the app registration $app_id" >&2
fi
object_id=$(az ad app show --id "$app_id" --query id -o tsv)

# The scope keeps its id across runs: Entra refuses to change a scope that is enabled.
scope_id=$(az ad app show --id "$app_id" --query "api.oauth2PermissionScopes[?value=='$SCOPE'].id | [0]" -o tsv)
[ -n "$scope_id" ] || scope_id=$(node -e "process.stdout.write(require('node:crypto').randomUUID())")

# Redirects: nested app authentication (brk-multihub://<add-in origin>) and the Office dialog
# fallback (<ADDIN_BASE_URL>signin-redirect.html), both single-page-application redirects.
redirects='[]'
if [ -n "$base_url" ]; then
  origin=$(node -e "process.stdout.write(new URL(process.argv[1]).host)" "$base_url")
  redirects="[\"brk-multihub://$origin\", \"${base_url}signin-redirect.html\"]"
fi

body=$(mktemp)
trap 'rm -f "$body"' EXIT
# Written twice: Graph checks a pre-authorisation against the scopes already saved, so the scope
# is saved first (a new registration has none), then the Azure CLI is pre-authorised for it.
for preauthorized in '[]' "[{ \"appId\": \"$AZURE_CLI_APP_ID\", \"delegatedPermissionIds\": [\"$scope_id\"] }]"; do
cat >"$body" <<JSON
{
  "signInAudience": "AzureADMultipleOrgs",
  "identifierUris": ["api://$app_id"],
  "api": {
    "requestedAccessTokenVersion": 2,
    "preAuthorizedApplications": $preauthorized,
    "oauth2PermissionScopes": [{
      "id": "$scope_id",
      "value": "$SCOPE",
      "type": "User",
      "isEnabled": true,
      "adminConsentDisplayName": "Use Good Start as the signed-in user",
      "adminConsentDescription": "Lets Good Start's Excel add-in call the Good Start API as the signed-in user, within the role the local authority has given them.",
      "userConsentDisplayName": "Use Good Start as you",
      "userConsentDescription": "Lets Good Start's Excel add-in call the Good Start API as you."
    }]
  },
  "spa": { "redirectUris": $redirects },
  "requiredResourceAccess": [
    { "resourceAppId": "$app_id", "resourceAccess": [{ "id": "$scope_id", "type": "Scope" }] }
  ]
}
JSON
az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" --headers 'Content-Type=application/json' --body "@$body" >/dev/null
done

# The service principal in this tenant (other tenants get theirs when their admin consents).
az ad sp show --id "$app_id" >/dev/null 2>&1 || az ad sp create --id "$app_id" >/dev/null

if [ -z "$base_url" ]; then
  echo "entra-app.sh: no ADDIN_BASE_URL yet, so no redirect URIs; run again after azd up" >&2
fi
echo "Each school's or trust's tenant admin consents once at:" >&2
echo "  https://login.microsoftonline.com/organizations/adminconsent?client_id=$app_id" >&2
echo "GOODSTART_AAD_CLIENT_ID=$app_id"
echo "GOODSTART_API_SCOPE=api://$app_id/$SCOPE"
