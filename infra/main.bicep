// Good Start in Azure: `azd up` provisions this, then deploys the API (azure.yaml's `api`
// service) and uploads the add-in (azure.yaml's postdeploy hook). docs/deploy.md is the guide.
//
// Subscription scope only to create the resource group; everything else is in resources.bicep.
// test/infra/*.test.ts checks these sources offline (there is no Bicep compiler in npm test);
// .ci/run also runs `bicep build` and `bicep lint` where a bicep binary is on PATH.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name (e.g. goodstart-prod): names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource. uksouth keeps pupil data in the UK.')
@metadata({ azd: { type: 'location' } })
param location string = 'uksouth'

@description('Application (client) id of the Entra app registration (scripts/entra-app.sh prints it): the add-in signs in with it and the API accepts tokens whose audience it is.')
param entraClientId string

@description('The delegated scope the registration exposes and the API requires in scp.')
param apiScopeName string = 'access_as_user'

@description('Where a caller\'s role comes from: memberships (schools in many tenants; the default) or claims (one tenant that issues roles/school/trust claims).')
@allowed(['memberships', 'claims'])
param authRoleSource string = 'memberships'

@description('claims only: the one tenant whose tokens are accepted. Leave empty with memberships.')
param authTenantId string = ''

@description('<tid>:<oid> of the first LA admin (nobody grants themselves a role). Empty once admins exist.')
param bootstrapLaAdmin string = ''

@secure()
@description('The cross-school index\'s HMAC key (32+ characters), for the first provision only: the preprovision hook generates one when the environment has no Key Vault yet. Empty afterwards, and the secret in Key Vault is kept: a new key would orphan every hash in the index. Never output.')
param crossSchoolKey string = ''

@description('serverless (the default: pay per request, right for a yearly return) or autoscale (provisioned throughput).')
@allowed(['serverless', 'autoscale'])
param cosmosCapacityMode string = 'serverless'

@minValue(1000)
@description('autoscale only: the database\'s shared maximum RU/s (it scales between 10% and this).')
param cosmosAutoscaleMaxThroughput int = 1000

@minValue(1)
@description('New Idempotency-Keys one user may start an hour (IDEMPOTENCY_KEYS_PER_HOUR).')
param idempotencyKeysPerHour int = 300

@description('Object id of whoever runs azd (azd fills in AZURE_PRINCIPAL_ID): given blob data access to the two storage accounts so azd can upload the API package and the add-in. Never Cosmos access: the deployer does not read pupil data.')
param principalId string = ''

@description('User for a person running azd, ServicePrincipal for the GitHub workflow.')
@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

var tags = { 'azd-env-name': environmentName, application: 'good-start' }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'goodstart-resources'
  scope: rg
  params: {
    environmentName: environmentName
    location: location
    tags: tags
    entraClientId: entraClientId
    apiScopeName: apiScopeName
    authRoleSource: authRoleSource
    authTenantId: authTenantId
    bootstrapLaAdmin: bootstrapLaAdmin
    crossSchoolKey: crossSchoolKey
    cosmosCapacityMode: cosmosCapacityMode
    cosmosAutoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    idempotencyKeysPerHour: idempotencyKeysPerHour
    principalId: principalId
    principalType: principalType
  }
}

// azd writes these into the environment (`azd env get-values`): `npm run build` reads the five
// GOODSTART_*/ADDIN_BASE_URL settings from there, and the hooks read the names.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output AZURE_COSMOS_ACCOUNT_NAME string = resources.outputs.cosmosAccountName
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output ADDIN_STORAGE_ACCOUNT_NAME string = resources.outputs.addinStorageAccountName
output COSMOS_ENDPOINT string = resources.outputs.cosmosEndpoint
output COSMOS_DATABASE string = resources.outputs.cosmosDatabase
// The connection string itself (the quickstart outputs the resource's name here). It names the
// ingestion endpoint and the instrumentation key, which identifies but does not authorise:
// local auth is off, so telemetry is accepted only with the managed identity's Entra token.
output APPLICATIONINSIGHTS_CONNECTION_STRING string = resources.outputs.applicationInsightsConnectionString
output GOODSTART_API_URL string = 'https://${resources.outputs.functionAppHostName}/api'
output ADDIN_BASE_URL string = resources.outputs.addinBaseUrl
output GOODSTART_AAD_CLIENT_ID string = entraClientId
output GOODSTART_AAD_AUTHORITY string = 'https://login.microsoftonline.com/organizations'
output GOODSTART_API_SCOPE string = 'api://${entraClientId}/${apiScopeName}'
