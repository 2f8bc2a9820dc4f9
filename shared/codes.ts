/**
 * Code lists used by the transition sheet. National codes follow the DfE school census
 * (SEN provision, SEN type, proficiency in English); Birmingham-specific lists (external
 * agencies, support levels, transition packages) follow the LA's transition process.
 */

export interface Code {
  readonly code: string;
  readonly label: string;
}

const codeList = <T extends readonly Code[]>(list: T): T => list;

/** DfE census SEN provision: E = EHC plan, K = SEN support, N = no SEN. */
export const SEN_PROVISION = codeList([
  { code: 'E', label: 'Education, health and care plan' },
  { code: 'K', label: 'SEN support' },
  { code: 'N', label: 'No special educational need' },
] as const);
export type SenProvision = (typeof SEN_PROVISION)[number]['code'];

export type AreaOfNeed =
  | 'Cognition and Learning'
  | 'Communication and Interaction'
  | 'Social, Emotional and Mental Health'
  | 'Sensory and/or Physical'
  | 'None';

export interface SenNeedCode extends Code {
  readonly area: AreaOfNeed;
}

/** DfE census SEN type codes with their broad area of need (SEND Code of Practice 6.28–6.35). */
export const SEN_NEED = [
  { code: 'SPLD', label: 'Specific learning difficulty', area: 'Cognition and Learning' },
  { code: 'MLD', label: 'Moderate learning difficulty', area: 'Cognition and Learning' },
  { code: 'SLD', label: 'Severe learning difficulty', area: 'Cognition and Learning' },
  { code: 'PMLD', label: 'Profound and multiple learning difficulty', area: 'Cognition and Learning' },
  { code: 'SLCN', label: 'Speech, language and communication needs', area: 'Communication and Interaction' },
  { code: 'ASD', label: 'Autistic spectrum disorder', area: 'Communication and Interaction' },
  { code: 'SEMH', label: 'Social, emotional and mental health', area: 'Social, Emotional and Mental Health' },
  { code: 'HI', label: 'Hearing impairment', area: 'Sensory and/or Physical' },
  { code: 'VI', label: 'Visual impairment', area: 'Sensory and/or Physical' },
  { code: 'MSI', label: 'Multi-sensory impairment', area: 'Sensory and/or Physical' },
  { code: 'PD', label: 'Physical disability', area: 'Sensory and/or Physical' },
  { code: 'OTH', label: 'Other difficulty or disability', area: 'None' },
  // DfE census: NSA is valid only with SEN provision K.
  { code: 'NSA', label: 'SEN support but no specialist assessment of type of need', area: 'None' },
] as const satisfies readonly SenNeedCode[];
export type SenNeedCodeValue = (typeof SEN_NEED)[number]['code'];

export const AREAS_OF_NEED: readonly AreaOfNeed[] = [
  'Cognition and Learning',
  'Communication and Interaction',
  'Social, Emotional and Mental Health',
  'Sensory and/or Physical',
  'None',
];

/** The broad area of need for a DfE SEN type code, or undefined for an unknown code. */
export function areaOfNeed(code: string): AreaOfNeed | undefined {
  const wanted = code.trim().toUpperCase();
  return SEN_NEED.find((n) => n.code === wanted)?.area;
}

export const SEX = codeList([
  { code: 'M', label: 'Male' },
  { code: 'F', label: 'Female' },
] as const);

export const YES_NO = codeList([
  { code: 'Y', label: 'Yes' },
  { code: 'N', label: 'No' },
] as const);

export const DESTINATION_CONFIRMED = codeList([
  { code: 'Y', label: 'Yes, the place at the receiving secondary is confirmed' },
  { code: 'N', label: 'No, not yet confirmed' },
  { code: 'Other school', label: 'The pupil is going to another school' },
] as const);

/** KS2 scaled scores run 80–120; A = absent, D = disapplied (STA). */
export const KS2_SCALED_SCORE = { min: 80, max: 120 } as const;
export const KS2_SCORE_CODES = codeList([
  { code: 'A', label: 'Absent' },
  { code: 'D', label: 'Disapplied' },
] as const);

/** KS2 teacher assessment outcomes, including the pre-key stage standards (STA). */
export const KS2_TEACHER_ASSESSMENT = codeList([
  { code: 'GDS', label: 'Working at greater depth' },
  { code: 'EXS', label: 'Working at the expected standard' },
  { code: 'WTS', label: 'Working towards the expected standard' },
  { code: 'PK6', label: 'Pre-key stage standard 6' },
  { code: 'PK5', label: 'Pre-key stage standard 5' },
  { code: 'PK4', label: 'Pre-key stage standard 4' },
  { code: 'PK3', label: 'Pre-key stage standard 3' },
  { code: 'PK2', label: 'Pre-key stage standard 2' },
  { code: 'PK1', label: 'Pre-key stage standard 1' },
  { code: 'BLW', label: 'Below the pre-key stage standards' },
  { code: 'A', label: 'Absent' },
  { code: 'D', label: 'Disapplied' },
] as const);

export const PLAN_HELD = codeList([
  { code: 'EHCP', label: 'Education, health and care plan' },
  { code: 'SSPP', label: 'SEN support pupil plan' },
  { code: 'SEN support plan', label: 'SEN support plan' },
  { code: 'None', label: 'No plan' },
] as const);

export const SUPPORT_LEVEL = codeList([
  { code: 'Universal', label: 'Universal: quality-first teaching' },
  { code: 'Targeted', label: 'Targeted: additional, time-limited support' },
  { code: 'Specialist', label: 'Specialist: external specialist support' },
] as const);
export type SupportLevel = (typeof SUPPORT_LEVEL)[number]['code'];

/** Birmingham support services a primary may have involved. */
export const EXTERNAL_AGENCIES = codeList([
  { code: 'PSS', label: 'Pupil and School Support' },
  { code: 'CAT', label: 'Communication and Autism Team' },
  { code: 'EPS', label: 'Educational Psychology Service' },
  { code: 'SSS', label: 'Sensory Support Service' },
  { code: 'PDSS', label: 'Physical Difficulties Support Service' },
  { code: 'CAMHS', label: 'Child and Adolescent Mental Health Services' },
  { code: 'SaLT', label: 'Speech and Language Therapy' },
  { code: 'OT', label: 'Occupational Therapy' },
] as const);

export const LOOKED_AFTER = codeList([
  { code: 'N', label: 'Not looked after' },
  { code: 'LAC', label: 'Looked-after child' },
  { code: 'PLAC', label: 'Previously looked-after child' },
] as const);

/** EAL with the DfE proficiency in English stage (A new to English … E fluent). */
export const EAL = codeList([
  { code: 'N', label: 'Not EAL' },
  { code: 'Y', label: 'EAL, stage not assessed' },
  { code: 'Y-A', label: 'EAL, stage A: new to English' },
  { code: 'Y-B', label: 'EAL, stage B: early acquisition' },
  { code: 'Y-C', label: 'EAL, stage C: developing competence' },
  { code: 'Y-D', label: 'EAL, stage D: competent' },
  { code: 'Y-E', label: 'EAL, stage E: fluent' },
] as const);

export const TRANSITION_PACKAGE = codeList([
  { code: 'Universal', label: 'Universal transition (transition day only)' },
  { code: 'Targeted', label: 'Targeted: extra visits and a named adult' },
  { code: 'Enhanced', label: 'Enhanced: personalised plan with the secondary SENCo' },
] as const);

/** Birmingham City Council's LA code. LAESTAB = LA code + 4-digit establishment number. */
export const BIRMINGHAM_LA_CODE = '330';

export const LAESTAB_PATTERN = /^\d{7}$/;
export const URN_PATTERN = /^\d{6}$/;

export function isLaestab(value: string): boolean {
  return LAESTAB_PATTERN.test(value.trim());
}

export function isBirminghamLaestab(value: string): boolean {
  const v = value.trim();
  return LAESTAB_PATTERN.test(v) && v.startsWith(BIRMINGHAM_LA_CODE);
}

export function isUrn(value: string): boolean {
  return URN_PATTERN.test(value.trim());
}

/** Case-insensitive lookup of a code in a list; returns the canonical spelling. */
export function canonicalCode(list: readonly Code[], value: string): string | undefined {
  const wanted = value.trim().toUpperCase();
  return list.find((c) => c.code.toUpperCase() === wanted)?.code;
}

export const codes = (list: readonly Code[]): string[] => list.map((c) => c.code);

/** Pulls the 7-digit LAESTAB out of a header cell such as "Hillcrest Academy (3304001)". */
export function laestabInText(text: string): string | undefined {
  const m = /(?:^|\D)(\d{7})(?:\D|$)/.exec(text);
  return m?.[1];
}
