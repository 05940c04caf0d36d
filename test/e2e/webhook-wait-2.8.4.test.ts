/** Wait Mode "Resume on Clipia Webhook" in a real n8n server on the 2.8.4 line. */

import { webhookWaitSuite } from './webhook-wait';

webhookWaitSuite('2.8.4');
