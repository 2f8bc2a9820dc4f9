/**
 * CTF prefill benchmark (`npm run bench:ctf`): figures only, no assertions.
 *
 * A synthetic Common Transfer File of about 20 MB with 2,000 pupils (full attendance history,
 * contacts and addresses, as a whole-school export carries) is read and prefilled, beside the
 * yardstick measured in the same run: saxes parsing the same bytes with no handlers at all,
 * the least any reader on that parser must spend. The ratio is the reader's own cost.
 *
 * Options: BENCH_CTF_PUPILS (default 2000), BENCH_PASSES (default 5).
 */
import { SaxesParser } from 'saxes';
import { syntheticCity } from '../samples/synthetic';
import { sampleCtf } from '../samples/ctf';
import { CTF_LIMITS, readCtf } from '../shared/ctf/reader';
import { prefillFromCtf } from '../shared/ctf/prefill';
import { bestOf, mb } from './timing';

const YEAR = 2027;
const PUPILS = Number(process.env.BENCH_CTF_PUPILS ?? 2000);
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
/** About a tenth of the file is pupils in other year groups; the rest are Year 6. */
const OTHER_YEARS = Math.round(PUPILS * 0.1);
/** Years of attendance marks per pupil: what takes a 2,000-pupil export to about 20 MB. */
const ATTENDANCE_YEARS = 15;

function main(): void {
  const yearSix = PUPILS - OTHER_YEARS - 1; // and the sample's one late joiner
  // A synthetic primary numbers at most 999 pupils, so the cohort is pooled from several.
  const primaries = Math.ceil(yearSix / 900);
  const perPrimary = Math.ceil(yearSix / primaries);
  const city = syntheticCity({ seed: 3, primaries, secondaries: 4, pupilsPerPrimary: [perPrimary, perPrimary], year: YEAR });
  const school = city.returns[0]?.school;
  if (!school) throw new Error('the synthetic city has no primaries');
  const ret = { year: YEAR, sheets: city.returns.flatMap((r) => r.ret.sheets), explanations: [] };
  const otherYears = PUPILS - 1 - primaries * perPrimary;
  const bytes = new TextEncoder().encode(sampleCtf({ school, year: YEAR, ret, seed: 3, style: 1, otherYears, attendanceYears: ATTENDANCE_YEARS }));
  const maxBytes = Math.max(CTF_LIMITS.maxBytes, bytes.length);

  const yardstick = () => {
    const parser = new SaxesParser({ xmlns: false, position: true });
    parser.write(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).close();
    return 0;
  };
  const product = () => prefillFromCtf(readCtf(bytes, { maxBytes }));
  yardstick();
  product();
  const floor = bestOf(PASSES, yardstick);
  const prefill = bestOf(PASSES, product);
  const pupils = prefill.result.rows.length + prefill.result.skipped;
  const rate = (t: number): string => `${(bytes.length / 1024 / 1024 / (t / 1000)).toFixed(1)} MB/s, ${Math.round(pupils / (t / 1000)).toLocaleString()} pupils/s`;
  console.log(`ctf: ${mb(bytes.length)}, ${pupils.toLocaleString()} pupils (${prefill.result.rows.length.toLocaleString()} in Year 6), best of ${PASSES}`);
  console.log(`  saxes alone, no handlers (yardstick): ${floor.ms.toFixed(0)} ms → ${rate(floor.ms)}`);
  console.log(`  readCtf + prefillFromCtf: ${prefill.ms.toFixed(0)} ms → ${rate(prefill.ms)}`);
  console.log(`  ratio: the prefill costs ${(prefill.ms / floor.ms).toFixed(2)}× saxes parsing the same bytes`);
}

main();
