/**
 * Good Start's custom functions, as Excel calls them. Each is a thin edge over its implementation
 * in shared/functions (which the CLI's `goodstart fn` calls too): run it, and show a domain error
 * as a cell error. custom-functions-metadata-plugin builds functions.json from the JSDoc below,
 * which is also the help Excel shows, so it is written for the SENCo or LA officer at the sheet;
 * `npm run docs` turns the same JSDoc (with its @example lines) into the function catalogue the
 * CLI, the task pane and the README use.
 *
 * Value arguments are ranges (`unknown[][]`): a single cell arrives as a 1×1 range and a column
 * of pupils spills a column of answers. A problem with one pupil is an error in that pupil's
 * cell only; an argument that is wrong as a whole makes the function fail.
 */
import * as rb from '../../shared/functions/resourceBases';
import * as send from '../../shared/functions/send';
import * as toolkit from '../../shared/functions/toolkit';
import { inExcel, inExcelAsync } from './excelError';

/**
 * The band on the Birmingham toolkit continuum each pupil has reached, from an assessment grid.
 * The first column holds each criterion's band label (N.1 … Y6.2); each further column is one
 * pupil, ticked with 1, TRUE, S, Y or ✓ where the criterion is secured and left blank where not.
 * A pupil reaches a band when at least the threshold share of its criteria is secured and every
 * lower band is secured too; a pupil who has not secured the first band is "Pre-N.1".
 * @customfunction TOOLKIT.BAND
 * @param grid The assessment grid: band labels in the first column, one column of ticks per pupil. Header rows above the first band label are ignored.
 * @param [threshold] Share of a band's criteria that must be secured, e.g. 80% or 0.8. Default 80%.
 * @returns One band per pupil column, as a row that spills.
 * @example =TOOLKIT.BAND(A2:AE121)
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitBand(grid: unknown[][], threshold?: number): unknown[][] {
  return inExcel(() => toolkit.toolkitBand(grid, threshold));
}

/**
 * How many bands a pupil is behind the band expected for their year group at a point in the
 * school year (0 when at or ahead). On track, a pupil in Year Y has secured band (Y-1).2 in the
 * autumn term, Y.1 by the spring and Y.2 by the summer: Y5.2, Y6.1 and Y6.2 in Year 6. Without a
 * term the spring's Y.1 is expected. A date counts in its term by month: September–December
 * autumn, January–March spring, April–August summer. Nursery in the autumn expects Pre-N.1 (no
 * band yet), so no Nursery pupil is behind then; Reception in the autumn expects N.2.
 * @customfunction TOOLKIT.GAP
 * @param band The pupil's toolkit band, e.g. Y4.1 or Pre-N.1, or a column of bands for a class.
 * @param yearGroup The pupil's year group now: N, R (or 0) or 1–6, also as Y6 or Year 6 (one cell for the whole class, or a column).
 * @param [term] autumn, spring or summer, or a date in the term (a date cell, or text such as 2026-06-15). Default spring.
 * @returns The gap in bands; blank where the band is blank.
 * @example =TOOLKIT.GAP("Y4.1", 6) → 4
 * @example =TOOLKIT.GAP("Y4.1", 6, "summer") → 5
 * @example =TOOLKIT.GAP("Y4.1", 6, "autumn") → 3
 * @example =TOOLKIT.GAP("Pre-N.1", "N", "autumn") → 0
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitGap(band: unknown[][], yearGroup: unknown[][], term?: unknown[][]): unknown[][] {
  return inExcel(() => toolkit.toolkitGap(band, yearGroup, term));
}

/**
 * The level of support a pupil's toolkit band suggests, from the gap to the band expected for
 * their year group by the term (as TOOLKIT.GAP counts it; default spring): Universal (gap of 0–1
 * bands), Targeted (2–4) or Specialist (5 or more, or a pupil on targeted support who gained fewer
 * than 2 bands in the last 12 months).
 * @customfunction TOOLKIT.SUPPORT
 * @param band The pupil's toolkit band, e.g. Y4.1, or a column of bands for a class.
 * @param yearGroup The pupil's year group now: N, R (or 0) or 1–6.
 * @param [bandsGained12m] Bands gained in the last 12 months, if known; leave blank if not.
 * @param [term] autumn, spring or summer, or a date in the term. Default spring.
 * @returns Universal, Targeted or Specialist; blank where the band is blank.
 * @example =TOOLKIT.SUPPORT("Y4.1", 6) → Targeted
 * @example =TOOLKIT.SUPPORT("Y4.1", 6, , "summer") → Specialist
 * @example =TOOLKIT.SUPPORT("Y4.1", 6, 1) → Specialist
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitSupport(band: unknown[][], yearGroup: unknown[][], bandsGained12m?: unknown[][], term?: unknown[][]): unknown[][] {
  return inExcel(() => toolkit.toolkitSupport(band, yearGroup, bandsGained12m, term));
}

/**
 * Whether a pupil's progress is closing the gap to their peers, by Pupil and School Support's
 * measure: bands gained as a rate per 12 months, Widening under 2 a year (the Code of Practice's
 * "less than expected progress"), Holding 2 to under 3, Accelerated 3 or more; a band lost counts
 * against. Under 3 months apart it is "Too soon to tell". Months are whole calendar months (15
 * September to 14 December is 2). Give two bands and the months between them; or give one pupil's
 * rows of the Toolkit history table alone, and it spills each thread's progress from its first
 * assessment to its last, each strand's median with its weakest thread, and the pupil's median.
 * @customfunction TOOLKIT.PROGRESS
 * @param fromBandOrHistory The band at the earlier assessment, e.g. Y3.1 (or a column of bands); or one pupil's rows of the Toolkit history table, e.g. FILTER(History, History[UPN]=A2).
 * @param [toBand] The band at the later assessment, e.g. Y4.1. Leave blank with a history.
 * @param [months] Months between the two assessments, e.g. 12. Leave blank with a history.
 * @returns Widening, Holding, Accelerated or Too soon to tell; with a history, a table that spills (Toolkit, Strand, Thread, From, To, bands, Months, Bands a year, Progress, Weakest thread).
 * @example =TOOLKIT.PROGRESS("Y3.1", "Y4.1", 12) → Holding
 * @example =TOOLKIT.PROGRESS("Y3.1", "Y4.1", 2) → Too soon to tell
 * @example =TOOLKIT.PROGRESS(History!A2:E29)  (one pupil's rows of the history)
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitProgress(fromBandOrHistory: unknown[][], toBand?: unknown[][], months?: unknown[][]): unknown[][] {
  return inExcel(() => toolkit.toolkitProgress(fromBandOrHistory, toBand, months));
}

/**
 * A pupil's toolkit bands over time, one row per assessment date, for a chart or a review
 * meeting: the date, its term, the band expected then for their year group and the gap to it (the
 * median of the threads assessed that day, counted as TOOLKIT.GAP counts it), then the band of
 * each thread. The pupil moves up a year group each 1 September, so give the year group they are
 * in on a date you know (by default, the date of their latest assessment).
 * @customfunction TOOLKIT.TREND
 * @param history One pupil's rows of the Toolkit history table, e.g. FILTER(History, History[UPN]=A2).
 * @param [yearGroup] The pupil's year group (N, R or 1–13) on the asOf date. Leave blank for the bands alone.
 * @param [asOf] The date the year group is true on, e.g. TODAY(). Default the latest assessment's date.
 * @returns A table that spills: Date, Term, Expected band, Gap, then one column per thread.
 * @example =TOOLKIT.TREND(History!A2:E29, 6, "2026-07-20")  (one pupil's rows; or FILTER the table by UPN)
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitTrend(history: unknown[][], yearGroup?: unknown[][], asOf?: unknown[][]): unknown[][] {
  return inExcel(() => toolkit.toolkitTrend(history, yearGroup, asOf));
}

/**
 * How many pupils in each group are Widening, Holding or Accelerated between two dates, to show
 * the progress of groups such as Pupil Premium, EAL or a class. A pupil's figure is the median
 * of their threads' rates per 12 months (each thread from its first assessment in the dates to
 * its last); Too soon to tell when no thread spans 3 months; Not assessed with no assessment
 * between the dates. Every pupil on the list is counted once; history rows of other pupils are
 * left out. Counts are exact: groups under 5 are for your eyes, not for reports you send out.
 * @customfunction TOOLKIT.GROUPPROGRESS
 * @param history The Toolkit history table's rows.
 * @param pupils The Pupils table with its header row, e.g. Pupils[#All].
 * @param groupColumn The Pupils column to group by: Class, Year group, SEN provision, PP/FSM, EAL, Sex, or any column you added.
 * @param [from] The first date to count, e.g. 2025-09-01. Default the first assessment.
 * @param [to] The last date to count. Default the latest assessment.
 * @returns A table that spills: the group, then its pupils Widening, Holding, Accelerated, Too soon to tell and Not assessed, and its number of pupils.
 * @example =TOOLKIT.GROUPPROGRESS(History, Pupils[#All], "PP/FSM", "2025-09-01", "2026-07-20")
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitGroupProgress(history: unknown[][], pupils: unknown[][], groupColumn: unknown[][], from?: unknown[][], to?: unknown[][]): unknown[][] {
  return inExcel(() => toolkit.toolkitGroupProgress(history, pupils, groupColumn, from, to));
}

/**
 * Approximate annual cost per commissioned resource base place, from the LA's latest
 * published dataset (the 2019-20 review when offline: £16,678 across the city).
 * @customfunction RB.COSTPERPLACE
 * @param [area] Locality area: East, North, South or West. Leave blank for the whole city.
 * @param [need] A designated need such as ASD or C&L, or a group: ASD/C&L/SLCN or Sensory/Physical. Leave blank for all.
 * @param [phase] Primary or Secondary. The 2019-20 dataset has no phase split, so this gives #N/A on it.
 * @returns Cost per place in pounds.
 * @example =RB.COSTPERPLACE() → 16678 (2019-20, whole city)
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export async function rbCostPerPlace(area?: unknown[][], need?: unknown[][], phase?: unknown[][]): Promise<unknown[][]> {
  return inExcelAsync(() => rb.rbCostPerPlace(area, need, phase));
}

/**
 * Cost per place from your own figures: the total of the costs divided by the total of the places.
 * @customfunction RB.COSTPERPLACERANGE
 * @param costs Annual costs, one per resource base.
 * @param places Commissioned places, in the same order and the same number of cells as the costs.
 * @returns Cost per place.
 * @example =RB.COSTPERPLACERANGE(C2:C20, B2:B20)
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function rbCostPerPlaceRange(costs: unknown[][], places: unknown[][]): number {
  return inExcel(() => rb.rbCostPerPlaceRange(costs, places));
}

/**
 * Commissioned resource base places from the LA's latest published dataset.
 * @customfunction RB.PLACES
 * @param [area] Locality area: East, North, South or West. Leave blank for the whole city.
 * @param [need] A designated need such as ASD or C&L, or a group: ASD/C&L/SLCN or Sensory/Physical. Leave blank for all.
 * @param [phase] Primary or Secondary. The 2019-20 dataset has no phase split, so this gives #N/A on it.
 * @returns The number of commissioned places (0 where the LA commissions none of that kind).
 * @example =RB.PLACES("East", "ASD") → 55
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export async function rbPlaces(area?: unknown[][], need?: unknown[][], phase?: unknown[][]): Promise<unknown[][]> {
  return inExcelAsync(() => rb.rbPlaces(area, need, phase));
}

/**
 * Spare resource base places (positive) or a shortfall (negative): commissioned places minus the
 * incoming Year 7 pupils whose transition returns name that need and a resource base placement.
 * Needs the Good Start API: sign in from the task pane.
 * @customfunction RB.SUFFICIENCY
 * @param [area] Locality area: East, North, South or West. Leave blank for the whole city.
 * @param [need] A designated need such as ASD or C&L, or a group. Leave blank for all.
 * @param [year] The intake, by the year rule: the September the pupils start Year 7, e.g. 2027 (or 2027-28). Leave blank for the current one.
 * @returns Places minus pupils.
 * @example =RB.SUFFICIENCY("East", "ASD")  (needs sign-in)
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export async function rbSufficiency(area?: unknown[][], need?: unknown[][], year?: string): Promise<unknown[][]> {
  return inExcelAsync(() => rb.rbSufficiency(area, need, year));
}

/**
 * Checks a UPN: 13 characters with the right check letter at the front.
 * @customfunction SEND.UPNCHECK
 * @param upn A UPN, or a column of UPNs.
 * @returns TRUE for a valid UPN, FALSE otherwise; blank where the cell is blank.
 * @example =SEND.UPNCHECK(B2:B31)
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function sendUpnCheck(upn: unknown[][]): unknown[][] {
  return inExcel(() => send.sendUpnCheck(upn));
}

/**
 * The check letter a UPN should start with, to find which character of a rejected UPN is wrong.
 * @customfunction SEND.UPNLETTER
 * @param upn The 12 characters after the check letter, or a whole 13-character UPN.
 * @returns The check letter; blank where the cell is blank.
 * @example =SEND.UPNLETTER("820200101001") → U
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function sendUpnLetter(upn: unknown[][]): unknown[][] {
  return inExcel(() => send.sendUpnLetter(upn));
}

/**
 * The broad area of need (SEND Code of Practice) for a DfE SEN type code.
 * @customfunction SEND.NEEDAREA
 * @param code A SEN type code such as ASD, MLD or SEMH, or a column of them.
 * @returns Cognition and Learning, Communication and Interaction, Social, Emotional and Mental Health, Sensory and/or Physical, or None; blank where the cell is blank.
 * @example =SEND.NEEDAREA("ASD") → Communication and Interaction
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function sendNeedArea(code: unknown[][]): unknown[][] {
  return inExcel(() => send.sendNeedArea(code));
}
