/** Who a signed-in caller is to the service: a school's staff, a trust lead, or the LA. Tokens carry these. */
export const ROLES = ['school', 'trust', 'la'] as const;
export type Role = (typeof ROLES)[number];
