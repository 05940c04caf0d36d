/** Wait Mode "Resume on Clipia Webhook" in a real n8n server on the newest line. */
import { NEWEST_LINE } from '../../scripts/n8n-runtime';
import { webhookWaitSuite } from './webhook-wait';

webhookWaitSuite(NEWEST_LINE);
