/**
 * (design) The toolkit continuum: two bands per school year from Nursery to Year 6,
 * N.1, N.2, R.1, R.2, Y1.1 … Y6.2 — 16 bands. The band expected by the summer of year Y is `Y.2`
 * (`expectedBand` in support.ts gives it for each term).
 */
export const BAND_YEARS = ['N', 'R', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6'] as const;

export const BANDS: readonly string[] = BAND_YEARS.flatMap((y) => [`${y}.1`, `${y}.2`]);

/** Shown for a pupil who has not secured the first band: a band, not an error. */
export const PRE_FIRST_BAND = 'Pre-N.1';

/** Upper-case band labels to their positions, built once: the validator asks for every pupil. */
const BAND_INDEX = new Map<string, number>([PRE_FIRST_BAND, ...BANDS].map((b, i) => [b.toUpperCase(), i]));

/** Position on the continuum: Pre-N.1 = 0, N.1 = 1 … Y6.2 = 16; undefined for an unknown label. */
export function bandIndex(label: string): number | undefined {
  return BAND_INDEX.get(label) ?? BAND_INDEX.get(label.trim().toUpperCase());
}


export function bandAt(index: number): string | undefined {
  if (index === 0) return PRE_FIRST_BAND;
  return BANDS[index - 1];
}
