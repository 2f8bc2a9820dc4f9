// Everything Good Start runs on, in one resource group (main.bicep creates it and passes the
// parameters; their descriptions are there). Azure Verified Modules for the resources, pinned;
// the Cosmos database, its containers and every role assignment are written out here so that
// test/infra/bicep.test.ts can check them from the source: exactly the code's containers, no
// throughput a module default would add, and the app's managed identity on each assignment.

param environmentName string
param location string
param tags object
param entraClientId string
param apiScopeName string
param authRoleSource string
param authTenantId string
param bootstrapLaAdmin string
@secure()
param crossSchoolKey string
param cosmosCapacityMode string
param cosmosAutoscaleMaxThroughput int
param idempotencyKeysPerHour int
param principalId string
param principalType string

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var names = {
  identity: 'id-goodstart-${token}'
  plan: 'plan-goodstart-${token}'
  functionApp: 'func-goodstart-${token}'
  cosmos: 'cosmos-goodstart-${token}'
  keyVault: 'kv-gs-${token}'
  logAnalytics: 'log-goodstart-${token}'
  appInsights: 'appi-goodstart-${token}'
  // Storage account names: 3-24 lower-case letters and digits.
  functionStorage: 'stfn${token}'
  addinStorage: 'staddin${token}'
}
var deploymentContainer = 'app-package'
var databaseName = 'goodstart'
var crossSchoolSecretName = 'cross-school-key'
var serverless = cosmosCapacityMode == 'serverless'

// The code's one list of containers (functions/src/store/containers.ts), written out as JSON by
// test/infra/containersJson.ts; a test fails when the two differ.
var containers = loadJsonContent('containers.json')

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // Cosmos DB Built-in Data Contributor: a data-plane role (sqlRoleDefinitions), not an ARM one.
  cosmosDataContributor: '00000000-0000-0000-0000-000000000002'
}

// ---------------------------------------------------------------------------------------------
// Identity: the one user-assigned identity the Function App runs as.

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

// ---------------------------------------------------------------------------------------------
// Monitoring: Log Analytics and Application Insights, both accepting only Entra-authenticated data.

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'log-analytics'
  params: {
    name: names.logAnalytics
    location: location
    tags: tags
    dataRetention: 30
    features: {
      disableLocalAuth: true
    }
  }
}

module appInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'app-insights'
  params: {
    name: names.appInsights
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: the Functions host's account (its deployment package and host state), and the
// add-in's account, whose static website serves dist/. Shared keys off on both.

module functionStorage 'br/public:avm/res/storage/storage-account:0.17.2' = {
  name: 'function-storage'
  params: {
    name: names.functionStorage
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        { name: deploymentContainer }
      ]
    }
  }
}

module addinStorage 'br/public:avm/res/storage/storage-account:0.17.2' = {
  name: 'addin-storage'
  params: {
    name: names.addinStorage
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowSharedKeyAccess: false
    // The static website ($web) is served anonymously whatever this says; no other container is.
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource functionStorageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: names.functionStorage
  dependsOn: [functionStorage]
}

resource addinStorageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: names.addinStorage
  dependsOn: [addinStorage]
}

// The static website endpoint, e.g. https://staddinxyz.z33.web.core.windows.net/ (the zone
// letter-number pair is Azure's choice, so it is read, not built).
var addinBaseUrl = addinStorageAccount.properties.primaryEndpoints.web
// The origin the pane's requests carry: the endpoint without its trailing slash.
var addinOrigin = take(addinBaseUrl, length(addinBaseUrl) - 1)

// ---------------------------------------------------------------------------------------------
// Key Vault: the cross-school key, read by the app through a Key Vault reference.

module keyVault 'br/public:avm/res/key-vault/vault:0.12.0' = {
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enableRbacAuthorization: true
    enablePurgeProtection: true
    softDeleteRetentionInDays: 90
    publicNetworkAccess: 'Enabled'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: names.keyVault
  dependsOn: [keyVault]
}

// Written once, on the first provision; later provisions pass no key and leave it as it is.
resource crossSchoolSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(crossSchoolKey)) {
  parent: vault
  name: crossSchoolSecretName
  properties: {
    value: crossSchoolKey
    contentType: 'HMAC-SHA256 key of the cross-school UPN index (CROSS_SCHOOL_KEY)'
  }
}

// ---------------------------------------------------------------------------------------------
// Cosmos DB: local auth off (no account keys work), continuous backup for point-in-time restore.
// The database and containers are created here: the app's identity has a data-plane role only,
// and data-plane RBAC cannot create containers (403, substatus 5300).

module cosmos 'br/public:avm/res/document-db/database-account:0.8.1' = {
  name: 'cosmos'
  params: {
    name: names.cosmos
    location: location
    tags: tags
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    defaultConsistencyLevel: 'Session'
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    capabilitiesToAdd: serverless ? ['EnableServerless'] : []
    backupPolicyType: 'Continuous'
    backupPolicyContinuousTier: 'Continuous7Days'
    networkRestrictions: {
      publicNetworkAccess: 'Enabled'
      ipRules: []
      virtualNetworkRules: []
    }
  }
}

resource cosmosAccount 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: names.cosmos
  dependsOn: [cosmos]
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: cosmosAccount
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    // Serverless has no throughput to set; provisioned shares one autoscale budget across containers.
    options: serverless ? {} : { autoscaleSettings: { maxThroughput: cosmosAutoscaleMaxThroughput } }
  }
}

resource cosmosContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for c in containers: {
    parent: database
    name: c.name
    properties: {
      resource: union(
        {
          id: c.name
          partitionKey: {
            paths: [c.partitionKey]
            kind: 'Hash'
            version: 2
          }
        },
        contains(c, 'defaultTtl') ? { defaultTtl: c.defaultTtl } : {}
      )
    }
  }
]

// ---------------------------------------------------------------------------------------------
// The Function App: Flex Consumption (FC1), Linux, Node 22, running as the identity above.

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  params: {
    name: names.plan
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
  }
}

// The app settings. Every setting functions/src/config.ts reads is either set here or listed
// below as left unset (test/infra/settings.test.ts checks both ways).
var appSettings = {
  COSMOS_ENDPOINT: cosmos.outputs.endpoint
  COSMOS_AUTH: 'managedIdentity'
  COSMOS_MANAGED_IDENTITY_CLIENT_ID: identity.outputs.clientId
  COSMOS_DATABASE: databaseName
  AUTH_MODE: 'entra'
  AUTH_AUDIENCE: entraClientId
  AUTH_SCOPE: apiScopeName
  AUTH_ROLE_SOURCE: authRoleSource
  AUTH_TENANT_ID: authTenantId
  BOOTSTRAP_LA_ADMIN: bootstrapLaAdmin
  IDEMPOTENCY_KEYS_PER_HOUR: string(idempotencyKeysPerHour)
  CROSS_SCHOOL_KEY: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${crossSchoolSecretName})'
  // The Functions host's own: its storage and telemetry through the identity, never a key.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: functionStorageAccount.properties.primaryEndpoints.blob
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}
// Settings config.ts reads that are left unset, so the app's default applies:
// unset: COSMOS_KEY                    account keys are off (disableLocalAuth); the identity signs in
// unset: AUTH_ISSUER                   Entra's {tenantid} template, filled with each token's tid
// unset: AUTH_JWKS_URL                 Microsoft's common v2 signing keys
// unset: AUTH_ALGORITHMS               RS256, what Entra signs with
// unset: AUTH_CLOCK_TOLERANCE_SECONDS  60 seconds
// unset: AUTH_SCHOOL_CLAIM             school (claims source only)
// unset: AUTH_TRUST_CLAIM              trust (claims source only)
// unset: AUTH_ROLES_CLAIM              roles (claims source only)
// unset: AUTH_LOCAL_KEY_DIR            the dev key pair is local mode's only
// unset: MAX_JSON_BYTES                2 MiB
// unset: MAX_XLSX_BYTES                5 MiB
// unset: LOCAL_SAMPLES_DIR             the embedded server's seed data: local mode only
// unset: LOCAL_DATA_DIR                the embedded server's data: local mode only
// unset: APP_VERSION                   the deployed package's version

module functionApp 'br/public:avm/res/web/site:0.15.1' = {
  name: 'function-app'
  params: {
    name: names.functionApp
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    kind: 'functionapp,linux'
    serverFarmResourceId: plan.outputs.resourceId
    httpsOnly: true
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [identity.outputs.resourceId]
    }
    // Key Vault references (CROSS_SCHOOL_KEY) are resolved as this identity.
    keyVaultAccessIdentityResourceId: identity.outputs.resourceId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${functionStorageAccount.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.outputs.resourceId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: 2048
        maximumInstanceCount: 40
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: {
        // Exactly the add-in's origin: the pane is the API's only browser client.
        allowedOrigins: [addinOrigin]
        supportCredentials: false
      }
    }
    appSettingsKeyValuePairs: appSettings
  }
  dependsOn: [cosmosContainers, crossSchoolSecret, vaultSecretsUser]
}

// ---------------------------------------------------------------------------------------------
// Role assignments. The app's identity holds exactly these four; the deployer (principalId,
// optional) holds blob data access to the two storage accounts, to upload the API package and
// the add-in, and nothing on Cosmos or Key Vault.

resource functionStorageBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(functionStorageAccount.id, names.identity, roles.storageBlobDataOwner)
  scope: functionStorageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appInsightsComponent 'Microsoft.Insights/components@2020-02-02' existing = {
  name: names.appInsights
  dependsOn: [appInsights]
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsightsComponent.id, names.identity, roles.monitoringMetricsPublisher)
  scope: appInsightsComponent
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, names.identity, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}

resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmosAccount
  name: guid(cosmosAccount.id, names.identity, roles.cosmosDataContributor)
  properties: {
    roleDefinitionId: '${cosmosAccount.id}/sqlRoleDefinitions/${roles.cosmosDataContributor}'
    principalId: identity.outputs.principalId
    scope: cosmosAccount.id
  }
}

resource deployerFunctionStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(functionStorageAccount.id, principalId, roles.storageBlobDataContributor)
  scope: functionStorageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: principalType
  }
}

resource deployerAddinStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(addinStorageAccount.id, principalId, roles.storageBlobDataContributor)
  scope: addinStorageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: principalType
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostname
output cosmosAccountName string = names.cosmos
output cosmosEndpoint string = cosmos.outputs.endpoint
output cosmosDatabase string = databaseName
output keyVaultName string = names.keyVault
output addinStorageAccountName string = names.addinStorage
output addinBaseUrl string = addinBaseUrl
output applicationInsightsConnectionString string = appInsights.outputs.connectionString
