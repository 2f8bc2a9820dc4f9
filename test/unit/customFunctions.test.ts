import { ExcelError, excelError, toExcelError } from '../../addin/functions/excelError';
import {
  rbCostPerPlace,
  rbCostPerPlaceRange,
  rbPlaces,
  rbSufficiency,
  sendNeedArea,
  sendUpnCheck,
  sendUpnLetter,
  toolkitBand,
  toolkitGap,
  toolkitProgress,
  toolkitSupport,
} from '../../addin/functions/functions';
import { invokeCustomFunction } from '../../cli/commands/fn';
import { CUSTOM_FUNCTIONS } from '../../shared/functions/catalogue';
import { CELL_ERROR_CODES } from '../../shared/functions/cells';
import {
  BUNDLED_SOURCE,
  resetResourceBaseSource,
  setDemandSource,
  setResourceBaseSource,
} from '../../shared/functions/resourceBaseSource';
import { DomainInputError } from '../../shared/errors';
import { makeUpn } from '../../shared/upn';

const code = (v: unknown): string | undefined => (v instanceof ExcelError ? v.code : undefined);

afterEach(() => resetResourceBaseSource());

describe('cell errors outside Excel', () => {
  it('map invalidValue to #VALUE! and notAvailable to #N/A, keeping the message', () => {
    expect(excelError('invalidValue', 'why')).toMatchObject({ code: '#VALUE!', message: 'why' });
    expect(toExcelError(new DomainInputError('notAvailable', 'offline'))).toMatchObject({ code: '#N/A', message: 'offline' });
  });

  it('rethrows errors that are not about the input', () => {
    expect(() => toExcelError(new TypeError('bug'))).toThrow('bug');
  });
});

describe('TOOLKIT functions', () => {
  it('take a single cell as a 1×1 range', () => {
    expect(toolkitSupport([['Y4.1']], [[6]])).toEqual([['Targeted']]);
    expect(toolkitGap([['Y4.1']], [['6']])).toEqual([[4]]);
  });

  it('spill a column of pupils against one year group, blank for blank rows', () => {
    const out = toolkitSupport([['Y6.1'], [''], ['Y3.1'], [null]], [[6]]);
    expect(out).toEqual([['Universal'], [''], ['Specialist'], ['']]);
  });

  it('put a bad band in that pupil’s cell only', () => {
    const out = toolkitGap([['Y4.1'], ['Y9.9']], [[6]]);
    expect(out[0]).toEqual([4]);
    expect(code(out[1]?.[0])).toBe('#VALUE!');
  });

  it('take bands gained as text', () => {
    expect(toolkitSupport([['Y4.1']], [[6]], [['1']])).toEqual([['Specialist']]);
  });

  it('fail as a whole when the ranges differ in size', () => {
    expect(() => toolkitGap([['Y4.1'], ['Y4.2']], [[6], [5], [4]])).toThrow(ExcelError);
  });

  it('band a class as a row that spills, with a bad grid failing the function', () => {
    expect(toolkitBand([['', 'Amira', 'Ben'], ['N.1', 1, ''], ['N.1', 'S', '']])).toEqual([['N.1', 'Pre-N.1']]);
    expect(() => toolkitBand([['Name', 1]])).toThrow(/no toolkit band labels/);
    expect(code(toolkitBand([['N.1', 1, 'x']])[0]?.[1])).toBe('#VALUE!');
  });

  it('judge the gap and support by term: autumn (Y-1).2, spring Y.1 (default), summer Y.2', () => {
    expect(toolkitGap([['Y4.1']], [[6]])).toEqual([[4]]);
    expect(toolkitGap([['Y4.1']], [[6]], [['summer']])).toEqual([[5]]);
    expect(toolkitGap([['Y4.1']], [[6]], [['autumn']])).toEqual([[3]]);
    expect(toolkitSupport([['Y4.1']], [[6]], undefined, [['summer']])).toEqual([['Specialist']]);
    expect(toolkitSupport([['Y4.1']], [[6]], [[null]], [['autumn']])).toEqual([['Targeted']]);
  });

  it('take a term per pupil, as a date cell (Excel serial) or ISO text', () => {
    // 46188 is 15 June 2026 (summer); 2026-10-01 is in the autumn.
    expect(toolkitGap([['Y4.1'], ['Y4.1'], ['Y4.1']], [[6]], [[46188], ['2026-10-01'], ['']])).toEqual([[5], [3], [4]]);
    expect(code(toolkitGap([['Y4.1']], [[6]], [['winter']])[0]?.[0])).toBe('#VALUE!');
  });

  it('give progress pro rata', () => {
    expect(toolkitProgress([['Y3.1']], [['Y3.2']], [['6']])).toEqual([['Holding']]);
  });
});

describe('RB functions', () => {
  it('give cost per place and places for the bundled dataset', async () => {
    expect(await rbCostPerPlace()).toEqual([[10_990_995 / 659]]);
    expect(await rbPlaces([['East'], ['North']], [['']])).toEqual([[291], [107]]);
  });

  it('give #N/A in the cell for a phase on the 2019-20 dataset', async () => {
    const [[cell]] = (await rbPlaces(undefined, undefined, [['Primary']])) as [[unknown]];
    expect(cell).toMatchObject({ code: '#N/A', message: 'the 2019-20 dataset has no primary/secondary split' });
  });

  it('use the source set after sign-in', async () => {
    setResourceBaseSource({
      dataset: BUNDLED_SOURCE.dataset,
      demand: () => Promise.resolve([{ area: 'East', need: 'ASD', pupils: 60 }]),
    });
    expect(await rbSufficiency([['East']], [['ASD']])).toEqual([[-5]]);
  });

  it('reject sufficiency offline with #N/A rather than leaving the cell waiting', async () => {
    await expect(rbSufficiency()).rejects.toMatchObject({ code: '#N/A', message: expect.stringMatching(/sign in/) });
    setDemandSource(() => Promise.reject(new Error('network down')));
    await expect(rbSufficiency()).rejects.toThrow('network down');
  });

  it('divide two ranges', () => {
    expect(rbCostPerPlaceRange([[3000], [3000]], [[2], [4]])).toBe(1000);
    expect(() => rbCostPerPlaceRange([[1]], [[1], [1]])).toThrow(ExcelError);
  });
});

describe('SEND functions', () => {
  const upn = makeUpn('330', '2001', '14', '001');

  it('check UPNs and give check letters', () => {
    // Changing the last digit changes the weighted sum by a multiple of 13, never of 23.
    const wrongSerial = `${upn.slice(0, 12)}${upn.endsWith('1') ? '2' : '1'}`;
    expect(sendUpnCheck([[upn], [wrongSerial], ['']])).toEqual([[true], [false], ['']]);
    expect(sendUpnLetter([[upn.slice(1)], [upn]])).toEqual([[upn[0]], [upn[0]]]);
    expect(code(sendUpnLetter([['12']])[0]?.[0])).toBe('#VALUE!');
  });

  it('give the area of need for a SEN code', () => {
    expect(sendNeedArea([['asd'], ['MLD'], ['']])).toEqual([
      ['Communication and Interaction'],
      ['Cognition and Learning'],
      [''],
    ]);
    expect(code(sendNeedArea([['XYZ']])[0]?.[0])).toBe('#VALUE!');
  });
});

describe('invokeCustomFunction (goodstart fn)', () => {
  const codeOf = (v: unknown): string | undefined => (v instanceof DomainInputError ? CELL_ERROR_CODES[v.kind] : undefined);

  it('lists every custom function', () => {
    expect([...CUSTOM_FUNCTIONS.keys()].sort()).toEqual([
      'RB.COSTPERPLACE',
      'RB.COSTPERPLACERANGE',
      'RB.PLACES',
      'RB.SUFFICIENCY',
      'SEND.NEEDAREA',
      'SEND.UPNCHECK',
      'SEND.UPNLETTER',
      'TOOLKIT.BAND',
      'TOOLKIT.GAP',
      'TOOLKIT.GROUPPROGRESS',
      'TOOLKIT.PROGRESS',
      'TOOLKIT.SUPPORT',
      'TOOLKIT.TREND',
    ]);
  });

  it('unwraps a single cell: TOOLKIT.SUPPORT Y4.1 6 is Targeted', async () => {
    expect(await invokeCustomFunction('TOOLKIT.SUPPORT', ['Y4.1', '6'])).toBe('Targeted');
    expect(await invokeCustomFunction('SEND.NEEDAREA', ['ASD'])).toBe('Communication and Interaction');
  });

  it("takes a term, with '' for a blank argument before it: TOOLKIT.SUPPORT Y4.1 6 '' summer is Specialist", async () => {
    expect(await invokeCustomFunction('TOOLKIT.SUPPORT', ['Y4.1', '6', '', 'summer'])).toBe('Specialist');
    expect(await invokeCustomFunction('TOOLKIT.GAP', ['Y4.1', '6', 'summer'])).toBe(5);
    expect(await invokeCustomFunction('TOOLKIT.GAP', ['Y4.1', '6', 'autumn'])).toBe(3);
    expect(await invokeCustomFunction('TOOLKIT.GAP', ['Y4.1', '6', ''])).toBe(4);
  });

  it('returns the #VALUE! cell for TOOLKIT.GAP Y9.9 6, naming the band', async () => {
    const v = await invokeCustomFunction('TOOLKIT.GAP', ['Y9.9', '6']);
    expect(codeOf(v)).toBe('#VALUE!');
    expect(v).toMatchObject({ kind: 'invalidValue', message: expect.stringMatching(/band/) });
  });

  it('reads JSON ranges, numbers and blanks', async () => {
    expect(await invokeCustomFunction('TOOLKIT.BAND', ['[["N.1",1,0],["N.2",1,0]]', '80'])).toEqual([['N.2', 'Pre-N.1']]);
    expect(await invokeCustomFunction('RB.PLACES', ['', 'Sensory/Physical'])).toBe(195);
    expect(await invokeCustomFunction('RB.COSTPERPLACERANGE', ['[[100],[200]]', '[[1],[2]]'])).toBe(100);
  });

  it('throws a #VALUE! for missing arguments, too many arguments and a bad JSON range', async () => {
    await expect(invokeCustomFunction('TOOLKIT.GAP', ['Y4.1'])).rejects.toMatchObject({ kind: 'invalidValue', message: 'TOOLKIT.GAP needs yearGroup (band, yearGroup, [term])' });
    await expect(invokeCustomFunction('TOOLKIT.GAP', ['Y4.1', '6', 'summer', 'x'])).rejects.toMatchObject({ kind: 'invalidValue', message: 'TOOLKIT.GAP takes band, yearGroup, [term]; got 4 arguments' });
    await expect(invokeCustomFunction('TOOLKIT.BAND', ['[[oops'])).rejects.toMatchObject({ kind: 'invalidValue' });
    expect(CELL_ERROR_CODES.invalidValue).toBe('#VALUE!');
  });
});
