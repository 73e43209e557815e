import { version } from '../../../package.json';

/** The product version, from the root package.json (bundled at build time). */
export const APP_VERSION: string = version;
