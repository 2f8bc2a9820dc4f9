/** The worked examples shown beside each function: the @example lines of its JSDoc, via the catalogue. */
export { FUNCTION_EXAMPLES } from '../../shared/functions/catalogue';
