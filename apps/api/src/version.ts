// The root manifest is the one source of the product version; webpack inlines it at build time.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { version } from '../../../package.json';

export const APP_VERSION: string = version;
