export * from './principal';
export * from './scope';
export { authenticate, createAuthenticator, identify, entraIdentity, issuerFor, keysFor, localKeySource, remoteKeySource, resetAuthentication, TENANT_NOT_REGISTERED_DETAIL } from './verifier';
export type { Authenticate, AuthenticatorDeps, AuthConfig, KeySource } from './verifier';
export { actingMembership, NO_MEMBERSHIP_DETAIL, principalFromClaims, principalFromMemberships } from './resolve';
export { readLocalPublicJwks, DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_JWKS_FILE, publicJwksSchema, type PublicJwks } from './localKeys';
