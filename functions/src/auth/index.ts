export * from './principal';
export * from './scope';
export { authenticate, createAuthenticator, principalFrom, keysFor, resetAuthentication } from './verifier';
export type { Authenticate, AuthenticatorDeps, AuthConfig } from './verifier';
export { readLocalPublicJwks, DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_JWKS_FILE, publicJwksSchema, type PublicJwks } from './localKeys';
