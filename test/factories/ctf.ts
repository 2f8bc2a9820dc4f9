/**
 * Synthetic Common Transfer Files for tests, built as text so each test shows the XML it reads.
 * Every name, number and address is invented.
 */
import type { CtfPupil } from '../../shared/ctf/reader';
import { PRIMARY, upnFor } from './transition';

export const CTF_DATE_TIME = '2027-05-20T10:15:00';

/** The sending school's header; `&amp;` because a school name may hold an ampersand. */
export function ctfHeader(overrides: { version?: string; dateTime?: string; name?: string } = {}): string {
  return (
    `<Header><CTFversion>${overrides.version ?? '24.0'}</CTFversion><DateTime>${overrides.dateTime ?? CTF_DATE_TIME}</DateTime>` +
    `<SourceSchool><LEA>${PRIMARY.slice(0, 3)}</LEA><Estab>${PRIMARY.slice(3)}</Estab><URN>180001</URN>` +
    `<SchoolName>${overrides.name ?? 'St Testing &amp; All Saints Primary'}</SchoolName><AcademicYear>2026/2027</AcademicYear></SourceSchool>` +
    `<DestSchool><LEA>XXX</LEA><Estab>XXXX</Estab></DestSchool></Header>`
  );
}

/** A whole CTF around the given `<Pupil>` elements. */
export function ctfDocument(pupils: string[], header: string = ctfHeader()): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>${header}<CTFpupilData>\n${pupils.join('\n')}\n</CTFpupilData></CTfile>\n`;
}

export interface PupilXmlOptions {
  upn?: string | null;
  surname?: string;
  forename?: string;
  dob?: string;
  sex?: string;
  /** Write `Gender` (CTF before 25) instead of `Sex`. */
  gender?: boolean;
  ncYear?: number;
  /** The SENhistory element's content, written as given. */
  sen?: string;
}

/** A pupil in Year 6 by default, with an address, phones, an e-mail and a contact that must never be read. */
export function pupilXml(n: number, o: PupilXmlOptions = {}): string {
  const upn = o.upn === undefined ? upnFor(n) : o.upn;
  return (
    `<Pupil>${upn === null ? '' : `<UPN>${upn}</UPN>`}<Surname>${o.surname ?? `Testsurname${n}`}</Surname><Forename>${o.forename ?? `Testforename${n}`}</Forename>` +
    `<DOB>${o.dob ?? '2016-01-15'}</DOB><${o.gender ? 'Gender' : 'Sex'}>${o.sex ?? 'F'}</${o.gender ? 'Gender' : 'Sex'}>` +
    `<BasicDetails><NCyearActual>${o.ncYear ?? 6}</NCyearActual><Ethnicity>WBRI</Ethnicity></BasicDetails>` +
    (o.sen === undefined ? '' : `<SENhistory>${o.sen}</SENhistory>`) +
    `<Address><BS7666Address><PAON>${n}</PAON><Street>Privacy Lane</Street><Town>Birmingham</Town></BS7666Address><PostCode>B99 9ZZ</PostCode></Address>` +
    `<Phones><Phone><TelephoneType>H</TelephoneType><PhoneNo>0121 496 0${String(n).padStart(3, '0')}</PhoneNo></Phone></Phones><Email>home${n}@example.invalid</Email>` +
    `<Contacts><Contact><Order>1</Order><Surname>Contactperson${n}</Surname><Forename>Carer${n}</Forename><Relationship>PAR</Relationship>` +
    `<Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>0121 496 0999</PhoneNo></Phone></Phones><Email>carer${n}@example.invalid</Email><Notes>Free text about Carer${n}</Notes></Contact></Contacts>` +
    `</Pupil>`
  );
}

/** What the fixture's contact details look like: none may reach an object, an output or a log. */
export const CONTACT_MARKERS = ['Contactperson', 'Carer', 'Privacy Lane', 'B99 9ZZ', '0121 496', 'example.invalid', 'Free text'] as const;

export const sen = (start: string, provision: string): string => `<SEN><StartDate>${start}</StartDate><SENprovision>${provision}</SENprovision></SEN>`;
export const need = (rank: number, type: string, start?: string, end?: string): string =>
  `<SENneed><SENtypeRank>${rank}</SENtypeRank><SENtype>${type}</SENtype>${start ? `<NeedStartDate>${start}</NeedStartDate>` : ''}${end ? `<NeedEndDate>${end}</NeedEndDate>` : ''}</SENneed>`;
export const needs = (...list: string[]): string => `<SENneeds>${list.join('')}</SENneeds>`;

/** A CtfPupil with only SEN history, for the SEN rule. */
export function senPupil(records: CtfPupil['sen'], needList: CtfPupil['needs'] = []): Pick<CtfPupil, 'sen' | 'needs'> {
  return { sen: records, needs: needList };
}
