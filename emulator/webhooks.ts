/**
 * Webhooks as Clipia sends them: a signed POST to the job's `webhook_url` when it ends
 * (`X-Clipia-Signature: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<raw body>"))`), retried
 * with backoff up to 6 times when the receiver does not answer 2xx within 10 s.
 */

import { createHmac, randomUUID } from 'node:crypto';
import { errorOf, type Job } from './jobs';

export interface WebhookDelivery {
	url: string;
	requestId: string;
	attempt: number;
	/** When it was sent (wall-clock ms). */
	sentAt: number;
	status?: number;
}

const MAX_RETRIES = 6;
const ANSWER_WITHIN_MS = 10_000;

export class Webhooks {
	readonly deliveries: WebhookDelivery[] = [];

	constructor(
		private readonly secret: string,
		private readonly output: (job: Job) => Record<string, unknown>,
	) {}

	/** Delivers the outcome of a finished job (and retries until it is taken or the retries run out). */
	async deliver(job: Job, attempt = 1): Promise<void> {
		const payload =
			job.status === 'COMPLETED'
				? {
						request_id: job.id,
						status: 'OK',
						payload: { model: job.model.slug, output: this.output(job), cost: job.cost },
					}
				: { request_id: job.id, status: 'ERROR', error: errorOf(job) };
		const body = JSON.stringify(payload);
		// Signed with the wall clock: receivers check `t` against theirs, whatever the time scale.
		const timestamp = Math.floor(Date.now() / 1000);
		const signature = createHmac('sha256', this.secret).update(`${timestamp}.${body}`).digest('hex');
		const delivery: WebhookDelivery = { url: job.webhookUrl!, requestId: job.id, attempt, sentAt: Date.now() };
		this.deliveries.push(delivery);
		try {
			const response = await fetch(job.webhookUrl!, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					'X-Clipia-Webhook-Id': randomUUID(),
					'X-Clipia-Timestamp': String(timestamp),
					'X-Clipia-Signature': `t=${timestamp},v1=${signature}`,
				},
				body,
				// The receiver's 10 s and the backoff are wall-clock time, whatever the time scale: they
				// measure the receiver (n8n), which runs at the speed of this machine, not of the model.
				signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
			});
			delivery.status = response.status;
			if (response.ok) return;
		} catch {
			delivery.status = 0;
		}
		if (attempt > MAX_RETRIES) return;
		await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 1000).unref());
		await this.deliver(job, attempt + 1);
	}
}
