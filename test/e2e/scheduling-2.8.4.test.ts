/** The scheduling suite in a real n8n server on the 2.8.4 line (Node 20). */

import { schedulingSuite } from './scheduling';

schedulingSuite('2.8.4');
