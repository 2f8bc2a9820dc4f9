/**
 * The custom functions bundle. Importing ./functions is what registers them: at build time
 * custom-functions-metadata-plugin reads its JSDoc into functions.json and appends one
 * `CustomFunctions.associate(id, fn)` per function to that module, so neither is written by hand.
 *
 * The RB.* functions then read the LA's dataset through the shared runtime's one API source
 * (batched, cached, bundled dataset offline) instead of the bundled copy alone.
 */
import './functions';
import { setResourceBaseSource } from '../../shared/functions/resourceBaseSource';
import { sharedApiSource } from './apiSource';

setResourceBaseSource(sharedApiSource());
