/**
 * Synthetic data for samples, tests and benchmarks. Seeded, so the same seed gives the same
 * city. Every school, pupil, name and number is invented: nothing here describes a real
 * person or a real school.
 */
import type { School, LocalityArea } from '../shared/schools';
import { LOCALITY_AREAS, syntheticSchoolEmail } from '../shared/schools';
import type { RowInput, RowValues, SheetInput, TransitionReturn } from '../shared/transition/schema';
import { SHEET_LAYOUT } from '../shared/transition/layout';
import { makeUpn } from '../shared/upn';
import { BANDS } from '../shared/toolkit/continuum';
import { currentTransferYear } from '../shared/year';

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const between = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

const SURNAMES = ['Ashdown', 'Brackley', 'Corran', 'Dellow', 'Everley', 'Fenwright', 'Gadsby', 'Harrowby', 'Ibbotley', 'Jessop', 'Kettleby', 'Lorrimer', 'Marrable', 'Netherway', 'Oakford', 'Pennock', 'Quarrie', 'Rendell', 'Saltonby', 'Tremlow', 'Underhay', 'Vessey', 'Wetherden', 'Yarnold'];
const FORENAMES = ['Ada', 'Bilal', 'Cleo', 'Dev', 'Esme', 'Farah', 'Gus', 'Hana', 'Idris', 'Juno', 'Kian', 'Lyla', 'Milo', 'Nia', 'Omar', 'Pia', 'Rafe', 'Suki', 'Tobi', 'Uma', 'Vik', 'Wren', 'Yusuf', 'Zara'];
const PLACE_WORDS = ['Alder', 'Brook', 'Cedar', 'Dunmore', 'Elm', 'Foxglove', 'Greystone', 'Hazel', 'Ivybridge', 'Juniper', 'Kestrel', 'Larch', 'Maple', 'Nettle', 'Osier', 'Primrose', 'Quillan', 'Rowan', 'Sorrel', 'Thistle', 'Umber', 'Willow', 'Yarrow', 'Zephyr'];

export interface SyntheticCityOptions {
  seed?: number;
  primaries?: number;
  secondaries?: number;
  /** Year 6 pupils per primary: [min, max]. */
  pupilsPerPrimary?: [number, number];
  year?: number;
}

export interface SyntheticCity {
  year: number;
  schools: School[];
  /** One return per primary: one sheet per receiving secondary. */
  returns: Array<{ school: School; ret: TransitionReturn }>;
}


const TRUSTS = ['TRUST-OAK', 'TRUST-RIVER', 'TRUST-HEATH'];

/** A school directory: LAESTAB 3302xxx for primaries, 3304xxx for secondaries (Birmingham LA 330). */
export function syntheticSchools(rand: Rand, primaries: number, secondaries: number): School[] {
  const schools: School[] = [];
  for (let i = 0; i < secondaries; i++) {
    const word = PLACE_WORDS[i % PLACE_WORDS.length] as string;
    const laestab = `3304${String(i + 1).padStart(3, '0')}`;
    schools.push({
      laestab,
      urn: String(190000 + i + 1),
      name: `${word}${i >= PLACE_WORDS.length ? ` ${Math.floor(i / PLACE_WORDS.length) + 1}` : ''} Park Academy`,
      phase: 'secondary',
      area: LOCALITY_AREAS[i % LOCALITY_AREAS.length] as LocalityArea,
      trust: i % 2 === 0 ? (TRUSTS[i % TRUSTS.length] as string) : null,
      email: syntheticSchoolEmail(laestab),
    });
  }
  for (let i = 0; i < primaries; i++) {
    const word = PLACE_WORDS[(i * 7 + 3) % PLACE_WORDS.length] as string;
    const laestab = `3302${String(i + 1).padStart(3, '0')}`;
    schools.push({
      laestab,
      urn: String(180000 + i + 1),
      name: `${word} Lane${i >= PLACE_WORDS.length ? ` ${Math.floor(i / PLACE_WORDS.length) + 1}` : ''} Primary School`,
      phase: 'primary',
      area: LOCALITY_AREAS[i % LOCALITY_AREAS.length] as LocalityArea,
      trust: rand() < 0.4 ? pick(rand, TRUSTS) : null,
      email: syntheticSchoolEmail(laestab),
    });
  }
  return schools;
}

// A realistic mix: about 13% SEN support and 4–5% EHC plans (DfE SEN in England statistics).
const K_NEEDS = ['SLCN', 'SLCN', 'SEMH', 'SEMH', 'MLD', 'MLD', 'SPLD', 'ASD', 'NSA', 'OTH', 'HI', 'PD'] as const;
const E_NEEDS = ['ASD', 'ASD', 'ASD', 'SLCN', 'SEMH', 'SLD', 'MLD', 'PD', 'HI', 'VI', 'PMLD'] as const;
const AGENCIES = ['PSS', 'CAT', 'EPS', 'SSS', 'PDSS', 'CAMHS', 'SaLT', 'OT'] as const;
const BASE_FOR_NEED: Record<string, string> = { ASD: 'ASD Base', SLCN: 'Language Base', MLD: 'Learning Base', SLD: 'Learning Base', HI: 'Hearing Base', VI: 'Vision Base', PD: 'Accessible Base' };
const PROVISION_TEXT = [
  'Small-group phonics and precision teaching three times a week.',
  'Visual timetable, now/next board and a named adult at transitions.',
  'Daily speech and language programme delivered by a trained TA.',
  'Nurture group mornings and a calm space at lunchtime.',
  'Fine-motor programme and a writing slope; extra time in tests.',
  'Pre-teaching of maths vocabulary and concrete resources.',
];

function band(rand: Rand, lo: number, hi: number): string {
  return BANDS[Math.max(0, Math.min(BANDS.length - 1, between(rand, lo, hi)))] as string;
}

function pupilValues(rand: Rand, n: number, year: number, primary: School): RowValues {
  const roll = rand();
  const provision = roll < 0.045 ? 'E' : roll < 0.18 ? 'K' : 'N';
  const primaryNeed = provision === 'E' ? pick(rand, E_NEEDS) : provision === 'K' ? pick(rand, K_NEEDS) : null;
  let secondaryNeed: string | null = null;
  if (primaryNeed && primaryNeed !== 'NSA' && rand() < 0.3) {
    const other = pick(rand, ['SEMH', 'SLCN', 'SPLD', 'ASD', 'MLD'] as const);
    secondaryNeed = other === primaryNeed ? null : other;
  }
  // Born inside the Y6 cohort: 1 Sep (year-12) to 31 Aug (year-11).
  const start = Date.UTC(year - 12, 8, 1);
  const dob = new Date(start + Math.floor(rand() * 365) * 86400000).toISOString().slice(0, 10);
  const sen = provision !== 'N';
  const agencies = provision === 'E'
    ? [...new Set([pick(rand, AGENCIES), pick(rand, AGENCIES)])].join(', ')
    : provision === 'K' && rand() < 0.5 ? pick(rand, AGENCIES) : null;
  const wantsBase = provision === 'E' && primaryNeed !== null && BASE_FOR_NEED[primaryNeed] !== undefined && rand() < 0.35;
  const score = (lo: number, hi: number): number | string => (provision === 'E' && rand() < 0.2 ? 'D' : between(rand, lo, hi));
  const scoreRange: [number, number] = provision === 'N' ? [96, 118] : provision === 'K' ? [86, 104] : [80, 96];
  const bandRange: [number, number] = provision === 'N' ? [12, 15] : provision === 'K' ? [8, 12] : [3, 9];
  const attendance = Math.round((provision === 'N' ? 91 + rand() * 9 : 90.5 + rand() * 9.5) * 10) / 10;
  return {
    surname: pick(rand, SURNAMES),
    forename: pick(rand, FORENAMES),
    dob,
    sex: rand() < 0.5 ? 'M' : 'F',
    feederPrimary: primary.laestab,
    upn: makeUpn(primary.laestab.slice(0, 3), primary.laestab.slice(3), String((year - 7) % 100).padStart(2, '0'), String(n).padStart(3, '0')),
    destinationConfirmed: 'Y',
    ks2Reading: score(...scoreRange),
    ks2Maths: score(...scoreRange),
    ks2Gps: score(...scoreRange),
    writingTa: provision === 'N' ? pick(rand, ['EXS', 'EXS', 'GDS', 'WTS']) : provision === 'K' ? pick(rand, ['WTS', 'WTS', 'EXS', 'PK6']) : pick(rand, ['PK4', 'PK5', 'PK6', 'WTS']),
    scienceTa: provision === 'E' ? pick(rand, ['WTS', 'PK6']) : pick(rand, ['EXS', 'EXS', 'WTS']),
    readingScore: between(rand, provision === 'N' ? 95 : 75, provision === 'N' ? 125 : 100),
    toolkitLiteracy: band(rand, ...bandRange),
    toolkitMaths: band(rand, ...bandRange),
    senProvision: provision,
    primaryNeed,
    secondaryNeed,
    planHeld: provision === 'E' ? 'EHCP' : provision === 'K' ? pick(rand, ['SEN support plan', 'SSPP']) : 'None',
    supportLevel: provision === 'E' ? 'Specialist' : provision === 'K' ? pick(rand, ['Targeted', 'Targeted', 'Targeted', 'Specialist']) : 'Universal',
    keyProvision: sen ? pick(rand, PROVISION_TEXT) : null,
    resourceBase: wantsBase && primaryNeed ? `Y: ${pick(rand, PLACE_WORDS)} ${BASE_FOR_NEED[primaryNeed]}` : 'N',
    externalAgencies: agencies,
    healthCarePlan: rand() < 0.06 ? 'Y' : 'N',
    attendance,
    suspensions: 0,
    safeguarding: rand() < 0.04 ? 'Y' : 'N',
    lookedAfter: rand() < 0.01 ? 'LAC' : rand() < 0.02 ? 'PLAC' : 'N',
    youngCarer: rand() < 0.03 ? 'Y' : 'N',
    eal: rand() < 0.25 ? pick(rand, ['Y-C', 'Y-D', 'Y-E', 'Y-B']) : 'N',
    fsmPp: rand() < 0.4 ? 'Y' : 'N',
    serviceChild: rand() < 0.01 ? 'Y' : 'N',
    semhNotes: primaryNeed === 'SEMH' ? 'Settles best with a predictable routine and a quiet start to the day.' : null,
    friendships: rand() < 0.5 ? 'Keep with one or two close friends if possible.' : null,
    strengths: pick(rand, ['Drawing and design.', 'Football and athletics.', 'Reading adventure stories.', 'Building with Lego.', 'Singing in the choir.', 'Caring for animals.']),
    pupilVoice: pick(rand, ['Excited about new subjects.', 'A bit worried about getting lost.', 'Wants to join a club.', 'Looking forward to science.']),
    parentViews: rand() < 0.97 ? `Y: ${pick(rand, ['Happy with the plan.', 'Would like an early visit.', 'Keen on a named adult.', 'No further comments.'])}` : 'Y',
    transitionPackage: `${provision === 'E' ? 'Enhanced' : provision === 'K' ? 'Targeted' : 'Universal'}: Primary SENCo via the school office`,
  };
}

/**
 * A synthetic city: secondaries, primaries each feeding two or three secondaries, and one
 * return per primary with a sheet per receiving secondary.
 */
export function syntheticCity(options: SyntheticCityOptions = {}): SyntheticCity {
  const rand = prng(options.seed ?? 20270);
  const year = options.year ?? currentTransferYear();
  const schools = syntheticSchools(rand, options.primaries ?? 12, options.secondaries ?? 4);
  const secondaries = schools.filter((s) => s.phase === 'secondary');
  const [minPupils, maxPupils] = options.pupilsPerPrimary ?? [20, 60];
  const returns = schools
    .filter((s) => s.phase === 'primary')
    .map((primary, i) => {
      const feeds = secondaries.length <= 3 ? secondaries : [0, 1, 2].slice(0, 2 + (i % 2)).map((k) => secondaries[(i + k) % secondaries.length] as School);
      const count = between(rand, minPupils, maxPupils);
      const bySecondary = new Map<School, RowInput[]>(feeds.map((s) => [s, []]));
      for (let n = 1; n <= count; n++) {
        const dest = feeds[Math.floor(rand() * feeds.length)] as School;
        const rows = bySecondary.get(dest) as RowInput[];
        rows.push({ row: SHEET_LAYOUT.firstDataRow + rows.length, values: pupilValues(rand, n, year, primary) });
      }
      const sheets: SheetInput[] = [...bySecondary.entries()]
        .filter(([, rows]) => rows.length > 0)
        .map(([s, rows]) => ({ name: sheetNameFor(s), receivingSecondary: `${s.name} (${s.laestab})`, rows }));
      return { school: primary, ret: { year, sheets, explanations: [] } };
    });
  return { year, schools, returns };
}

/** Excel sheet names are at most 31 characters. */
export function sheetNameFor(secondary: School): string {
  return `To ${secondary.name}`.slice(0, 31);
}

/** Deliberate mistakes for the "with errors" sample: each breaks one rule a SENCo could break. */
export function withDeliberateProblems(ret: TransitionReturn): TransitionReturn {
  const copy: TransitionReturn = structuredClone(ret);
  const rows = copy.sheets[0]?.rows ?? [];
  const set = (i: number, values: Partial<RowValues>): void => {
    const r = rows[i];
    if (r) r.values = { ...r.values, ...values };
  };
  const upn = String(rows[0]?.values.upn ?? '');
  set(0, { upn: `${upn.startsWith('A') ? 'B' : 'A'}${upn.slice(1)}` }); // wrong check letter
  set(1, { senProvision: 'K', primaryNeed: null }); // primary need missing for K
  set(2, { senProvision: 'N', planHeld: 'EHCP', primaryNeed: null, secondaryNeed: null }); // EHCP without E
  set(3, { attendance: 84.2 }); // query: attendance under 90
  set(4, { senProvision: 'K', primaryNeed: 'SEMH', supportLevel: 'Universal', keyProvision: 'Check-ins with learning mentor.' }); // query: K with Universal
  set(5, { safeguarding: 'Y - see file' }); // safeguarding must be Y/N only
  set(6, { primaryNeed: 'SLCN', secondaryNeed: 'SLCN', senProvision: 'K' }); // secondary need = primary
  set(7, { dob: `${(copy.year ?? 2027) - 13}-03-02` }); // far outside the cohort
  return copy;
}
