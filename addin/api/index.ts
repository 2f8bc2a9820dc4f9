/**
 * The add-in's HTTP room: everything that talks to the Good Start API goes through here
 * (STYLE.md habit 14). The task pane and the custom functions' batcher both use createApiClient.
 */
export { DEFAULT_API_BASE_URL, defaultApiBaseUrl } from './baseUrl';
export { type ApiClient, type ApiClientOptions, type CallOptions, createApiClient, newIdempotencyKey, type PutResourceBasesOptions, type PutReturnOptions, type ReturnBody, type Tagged, type WriteResult, XLSX_MEDIA_TYPE } from './client';
export { API_MESSAGES, ApiError, ApiOffline, ApiProblem, type ApiProblemSlug, ApiUnexpectedResponse, type ProblemValidation, type UserMessage } from './problems';
export * from './schemas';
export { type ApiFetch, type ApiRequestInit, type ApiResponseLike, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type RetryNotice, type RetryPolicy, type RetryReason, type TokenProvider } from './transport';
export { onSharedDataPublished, onSharedIdentityChange, onSharedRetry, setSharedTokenProvider, sharedApiClient, sharedDataPublished, sharedIdentityChanged, sharedToken } from './shared';
export { describeError, paneApi } from './pane';
export * from './identity';
