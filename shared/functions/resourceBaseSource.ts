/**
 * Where the RB.* custom functions get the resource base dataset and the demand for places.
 * Offline the bundled 2019-20 dataset answers and there is no demand data; the task pane
 * swaps in the API-backed source after sign-in.
 */
import { DomainInputError } from '../errors';
import type { DemandRow } from '../aggregate/demand';
import { BUNDLED_RESOURCE_BASES, type ResourceBaseDataset } from '../resourceBases/dataset';
import { academicYearOf, parseTransferYear } from '../year';

export type { DemandRow } from '../aggregate/demand';

/** A year is read by the one year rule (shared/year.ts): 2019 or "2019-20" is academic year 2019-20. */
export interface ResourceBaseSource {
  /** The dataset for a year such as "2019-20" or 2019; the latest published when omitted. */
  dataset(year?: string | number): Promise<ResourceBaseDataset>;
  /** Incoming Y7 pupils per area and DfE SEN need whose returns name a resource base placement, for the intake of a year (2027: September 2027); the current intake when omitted. */
  demand(year?: string | number): Promise<DemandRow[]>;
}

const NO_DEMAND_OFFLINE =
  'sufficiency needs the Good Start API (sign in from the task pane); offline there is no demand data';

const bundledDataset = (year?: string | number): Promise<ResourceBaseDataset> => {
  const wanted = year === undefined ? '' : String(year).trim();
  let academicYear: string;
  try {
    academicYear = wanted === '' ? BUNDLED_RESOURCE_BASES.academicYear : academicYearOf(parseTransferYear(wanted));
  } catch (e) {
    return Promise.reject(e);
  }
  if (academicYear !== BUNDLED_RESOURCE_BASES.academicYear) {
    return Promise.reject(
      new DomainInputError(
        'notAvailable',
        `only the ${BUNDLED_RESOURCE_BASES.academicYear} dataset is available offline; sign in from the task pane for ${academicYear}`,
      ),
    );
  }
  return Promise.resolve(BUNDLED_RESOURCE_BASES);
};

const noDemand = (): Promise<DemandRow[]> => Promise.reject(new DomainInputError('notAvailable', NO_DEMAND_OFFLINE));

/** The offline source: the bundled dataset, no demand. */
export const BUNDLED_SOURCE: ResourceBaseSource = { dataset: bundledDataset, demand: noDemand };

let datasetFn: ResourceBaseSource['dataset'] = BUNDLED_SOURCE.dataset;
let demandFn: ResourceBaseSource['demand'] = BUNDLED_SOURCE.demand;

/** Use this source for both the dataset and demand (e.g. the API after sign-in). */
export function setResourceBaseSource(src: ResourceBaseSource): void {
  datasetFn = (year) => src.dataset(year);
  demandFn = (year) => src.demand(year);
}

/** Replace only the demand source. */
export function setDemandSource(fn: ResourceBaseSource['demand']): void {
  demandFn = fn;
}

/** Back to the offline source (sign-out, tests). */
export function resetResourceBaseSource(): void {
  datasetFn = BUNDLED_SOURCE.dataset;
  demandFn = BUNDLED_SOURCE.demand;
}

export function getResourceBaseDataset(year?: string | number): Promise<ResourceBaseDataset> {
  return datasetFn(year);
}

export function getDemand(year?: string | number): Promise<DemandRow[]> {
  return demandFn(year);
}
