/** The scheduling suite in a real n8n server on the newest line (Node 24). */

import { NEWEST_LINE } from '../../scripts/n8n-runtime';
import { schedulingSuite } from './scheduling';

schedulingSuite(NEWEST_LINE);
