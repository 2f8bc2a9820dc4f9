/** 2027 → "2027-28": the academic year that starts in September of the transfer year. */
export const academicYearLabel = (year: number): string => `${year}-${String((year + 1) % 100).padStart(2, '0')}`;
