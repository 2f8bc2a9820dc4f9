/**
 * What the pure core throws when its input is wrong, in words a SENCo or LA officer can act on.
 * The edges map it: a custom function to `#VALUE!` / `#N/A`, the API to problem+json.
 */
export type DomainInputErrorKind =
  /** The input itself is wrong: a band label that is not on the continuum, an unknown area. */
  | 'invalidValue'
  /** The input is fine but the data cannot answer it, e.g. a phase split the 2019-20 dataset lacks. */
  | 'notAvailable';

export class DomainInputError extends Error {
  override readonly name = 'DomainInputError';

  constructor(
    readonly kind: DomainInputErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const isDomainInputError = (e: unknown): e is DomainInputError => e instanceof DomainInputError;
