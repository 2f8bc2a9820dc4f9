/**
 * Synthetic Common Transfer Files, as a primary's MIS would export them: the Year 6 pupils of a
 * synthetic return plus pupils in other year groups, each with SEN history, contacts, an
 * address, phones and an e-mail. Every name, number and address is invented; phone numbers are
 * in Ofcom's range reserved for drama (0121 496 0000–0999).
 *
 * Two supplier styles alternate, because real MIS exports differ: CTF 16 with `Gender`, SEN
 * records oldest first and children in the specification's order; CTF 24 with `Sex`, SEN
 * records newest first and children in another order.
 */
import type { School } from '../shared/schools';
import type { TransitionReturn } from '../shared/transition/schema';
import { makeUpn } from '../shared/upn';
import { prng } from './synthetic';

export interface CtfSampleOptions {
  school: School;
  /** The transfer year: the file is dated in May of it. */
  year: number;
  /** The school's return: its pupils are the CTF's Year 6. */
  ret: TransitionReturn;
  seed: number;
  /** Which supplier style (0: CTF 16 with Gender, 1: CTF 24 with Sex). */
  style?: 0 | 1;
  /** Pupils in other year groups (default 12). */
  otherYears?: number;
  /** The school's name as its MIS holds it (default: the directory's). */
  schoolName?: string;
  /** Attendance sessions per pupil, to make a file as large as a full export (default 2). */
  attendanceYears?: number;
}

/** Contact and address details the generator writes: tests prove none of them reach any output. */
export const CTF_SAMPLE_CONTACT_SURNAMES = ['Contactington', 'Phonebridge', 'Kinsworth', 'Guardley'] as const;
export const CTF_SAMPLE_CONTACT_FORENAMES = ['Marguerite', 'Thaddeus', 'Philippa', 'Ebenezer'] as const;
export const CTF_SAMPLE_PHONE_PREFIX = '0121 496 0';
export const CTF_SAMPLE_EMAIL_DOMAIN = 'example.invalid';
export const CTF_SAMPLE_STREET = 'Synthetic Street';

const UNICODE_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['Nguyễn', 'Zoë'],
  ['Ó Súilleabháin', 'Siobhán'],
  ['Wójcik', 'Łucja'],
  ['Çelik', 'Ömer'],
  ['Müller-Ørsted', 'Anaïs'],
];

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const el = (name: string, value: string | number | null | undefined): string => (value === null || value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`);

/** The school name as its MIS holds it: the first sample primary has an ampersand in it, as many real ones do. */
export function ctfSchoolName(school: School, index: number): string {
  return index === 0 ? school.name.replace(/ Primary School$/, ' Primary & Nursery School') : school.name;
}

interface SenHistory {
  records: Array<{ start: string; provision: string }>;
  needs: Array<{ rank: number; type: string; start: string; end: string | null }>;
}

/**
 * SEN history whose current record is the return's: earlier support that ended, needs that
 * were closed before the file was written, and the open needs ranked 1 and 2.
 */
function history(rand: () => number, year: number, provision: string, primary: string | null, secondary: string | null): SenHistory {
  const y = (n: number, mmdd: string): string => `${year - n}-${mmdd}`;
  const out: SenHistory = { records: [], needs: [] };
  const hadEarlierSupport = provision !== 'N' ? rand() < 0.6 : rand() < 0.15;
  if (hadEarlierSupport) {
    out.records.push({ start: y(4, '09-05'), provision: 'K' });
    out.needs.push({ rank: 1, type: 'SPLD', start: y(4, '09-05'), end: y(2, '07-18') });
  }
  if (provision === 'N') {
    if (hadEarlierSupport) out.records.push({ start: y(2, '07-18'), provision: 'N' });
    return out;
  }
  const start = provision === 'E' ? y(2, '03-14') : y(3, '10-01');
  out.records.push({ start, provision });
  // Some needs end after the file's date (at the end of primary school): still open on it.
  if (primary) out.needs.push({ rank: 1, type: primary, start, end: rand() < 0.25 ? `${year}-07-20` : null });
  if (secondary) out.needs.push({ rank: 2, type: secondary, start, end: null });
  return out;
}

function senXml(h: SenHistory, newestFirst: boolean): string {
  if (h.records.length === 0 && h.needs.length === 0) return '';
  const records = newestFirst ? [...h.records].reverse() : h.records;
  const needs = newestFirst ? [...h.needs].reverse() : h.needs;
  const sen = records.map((r) => `<SEN>${el('StartDate', r.start)}${el('SENprovision', r.provision)}</SEN>`).join('');
  const need = needs.map((n) => `<SENneed>${el('SENtypeRank', n.rank)}${el('SENtype', n.type)}${el('NeedStartDate', n.start)}${el('NeedEndDate', n.end)}</SENneed>`).join('');
  return `<SENhistory>${sen}${need === '' ? '' : `<SENneeds>${need}</SENneeds>`}</SENhistory>`;
}

/** What a CTF carries that Good Start must never read: contacts, an address, phones, e-mail, attendance. */
function personalXml(rand: () => number, n: number, attendanceYears: number, year: number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const phone = (): string => `${CTF_SAMPLE_PHONE_PREFIX}${String(Math.floor(rand() * 1000)).padStart(3, '0')}`;
  const surname = pick(CTF_SAMPLE_CONTACT_SURNAMES);
  const forename = pick(CTF_SAMPLE_CONTACT_FORENAMES);
  const address = `<Address><BS7666Address>${el('PAON', String(1 + Math.floor(rand() * 200)))}${el('Street', CTF_SAMPLE_STREET)}${el('Town', 'Birmingham')}</BS7666Address>${el('PostCode', 'B99 9ZZ')}</Address>`;
  const phones = `<Phones><Phone>${el('TelephoneType', 'H')}${el('PhoneNo', phone())}</Phone></Phones>`;
  const email = el('Email', `family${n}@${CTF_SAMPLE_EMAIL_DOMAIN}`);
  const contact = `<Contacts><Contact>${el('Order', 1)}${el('Title', 'Mx')}${el('Surname', surname)}${el('Forename', forename)}${el('Relationship', 'PAR')}${el('Responsibility', 'true')}<Phones><Phone>${el('TelephoneType', 'M')}${el('PhoneNo', phone())}</Phone></Phones>${el('Email', `${forename.toLowerCase()}@${CTF_SAMPLE_EMAIL_DOMAIN}`)}${el('Notes', `Call ${forename} ${surname} after 3pm`)}</Contact></Contacts>`;
  const attendance = Array.from({ length: attendanceYears }, (_, i) => {
    const marks = Array.from({ length: 380 }, () => pick(['/', '\\', '/', '\\', 'L', 'I', 'M'])).join('');
    return `<YearData>${el('Year', year - 1 - i)}<SessionDetails>${el('SessionsPossible', 380)}${el('SessionsAuthorised', 6)}${el('SessionsUnauthorised', 2)}${el('AttendanceMarks', marks)}</SessionDetails></YearData>`;
  }).join('');
  return `${address}${phones}${email}${contact}<Attendance>${attendance}</Attendance>`;
}

/** A CTF for one sample primary: its return's pupils in Year 6, and other year groups around them. */
export function sampleCtf(options: CtfSampleOptions): string {
  const { school, year, ret } = options;
  const rand = prng(options.seed);
  const style = options.style ?? 0;
  const sexTag = style === 0 ? 'Gender' : 'Sex';
  const attendanceYears = options.attendanceYears ?? 2;
  const pupils: string[] = [];
  let n = 0;

  const pupilXml = (p: { upn: string | null; surname: string; forename: string; dob: string; sex: string; ncYear: number; sen: SenHistory }): string => {
    n++;
    const ident = [el('UPN', p.upn), el('Surname', p.surname), el('Forename', p.forename), el('DOB', p.dob), el(sexTag, p.sex)];
    const basic = `<BasicDetails>${el('MiddleNames', null)}${el('NCyearActual', p.ncYear)}${el('Ethnicity', 'WBRI')}${el('EnrolStatus', 'C')}</BasicDetails>`;
    const body = style === 0
      ? [...ident, basic, senXml(p.sen, false), personalXml(rand, n, attendanceYears, year)]
      // The other supplier writes sex and date of birth first, the SEN history before BasicDetails, newest record first.
      : [ident[4], ident[3], ident[0], ident[2], ident[1], senXml(p.sen, true), basic, personalXml(rand, n, attendanceYears, year)];
    return `<Pupil>${body.join('')}</Pupil>`;
  };

  for (const sheet of ret.sheets) {
    for (const r of sheet.rows) {
      const v = r.values;
      const provision = String(v.senProvision ?? 'N');
      pupils.push(pupilXml({
        upn: v.upn === null || v.upn === undefined ? null : String(v.upn),
        surname: String(v.surname),
        forename: String(v.forename),
        dob: String(v.dob),
        sex: String(v.sex),
        ncYear: 6,
        sen: history(rand, year, provision, v.primaryNeed === null || v.primaryNeed === undefined ? null : String(v.primaryNeed), v.secondaryNeed === null || v.secondaryNeed === undefined ? null : String(v.secondaryNeed)),
      }));
    }
  }
  // A late joiner in Year 6 with a name outside ASCII, not yet on the school's return.
  const [lateSurname, lateForename] = UNICODE_NAMES[options.seed % UNICODE_NAMES.length] as readonly [string, string];
  pupils.push(pupilXml({ upn: makeUpn(school.laestab.slice(0, 3), school.laestab.slice(3), String((year - 7) % 100).padStart(2, '0'), '901'), surname: lateSurname, forename: lateForename, dob: `${year - 12}-11-23`, sex: 'F', ncYear: 6, sen: { records: [], needs: [] } }));

  const others = options.otherYears ?? 12;
  for (let i = 0; i < others; i++) {
    const ncYear = 1 + (i % 5);
    const [surname, forename] = UNICODE_NAMES[i % UNICODE_NAMES.length] as readonly [string, string];
    const provision = i % 4 === 0 ? 'K' : 'N';
    pupils.push(pupilXml({
      upn: makeUpn(school.laestab.slice(0, 3), school.laestab.slice(3), String((year - 7 + 6 - ncYear) % 100).padStart(2, '0'), String(500 + i).padStart(3, '0')),
      surname,
      forename,
      dob: `${year - 6 - ncYear}-0${1 + (i % 9)}-1${i % 10}`,
      sex: i % 2 === 0 ? 'M' : 'F',
      ncYear,
      sen: history(rand, year, provision, provision === 'K' ? 'SLCN' : null, null),
    }));
  }

  const header = [
    el('DocumentName', 'Common Transfer File'),
    el('CTFversion', style === 0 ? '16.0' : '24.0'),
    el('DateTime', `${year}-05-20T10:15:00`),
    el('DocumentQualifier', 'full'),
    el('SupplierID', style === 0 ? 'Synthetic MIS A' : 'Synthetic MIS B'),
    `<SourceSchool>${el('LEA', school.laestab.slice(0, 3))}${el('Estab', school.laestab.slice(3))}${el('URN', school.urn)}${el('SchoolName', options.schoolName ?? school.name)}${el('AcademicYear', `${year - 1}/${year}`)}</SourceSchool>`,
    `<DestSchool>${el('LEA', 'XXX')}${el('Estab', 'XXXX')}</DestSchool>`,
  ].join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CTfile><Header>${header}</Header><CTFpupilData>\n${pupils.join('\n')}\n</CTFpupilData></CTfile>\n`;
}
