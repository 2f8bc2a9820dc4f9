/**
 * The transfer year names a transition cycle: the September in which this year's Year 6
 * pupils start Year 7. From September onwards the current Year 6 move up the next year.
 */
export function currentTransferYear(today: Date = new Date()): number {
  return today.getUTCMonth() >= 8 ? today.getUTCFullYear() + 1 : today.getUTCFullYear();
}
