/** The real-n8n suite on the newest n8n line, as users on n8n Cloud and Docker run it (Node 24). */
import { NEWEST_LINE } from '../../scripts/n8n-runtime';
import { realN8nSuite } from './real-n8n';

realN8nSuite(NEWEST_LINE);
