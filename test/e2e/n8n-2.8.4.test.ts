/** The real-n8n suite on n8n 2.8.4, the newest n8n that runs on Node 20. */
import { NODE20_LINE } from '../../scripts/n8n-runtime';
import { realN8nSuite } from './real-n8n';

realN8nSuite(NODE20_LINE);
