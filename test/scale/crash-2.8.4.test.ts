/** Crashes in queue mode on n8n 2.8.4 (test/scale/crash.ts). */

import { crashSuite } from './crash';

crashSuite('2.8.4');
