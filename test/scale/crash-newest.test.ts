/** Crashes in queue mode on the newest n8n line (test/scale/crash.ts). */

import { NEWEST_LINE } from '../../scripts/n8n-runtime';
import { crashSuite } from './crash';

crashSuite(NEWEST_LINE);
