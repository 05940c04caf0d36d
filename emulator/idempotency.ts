/**
 * Idempotency-Key as Clipia keeps it (24 h): the same key and body replay the first answer
 * (no second charge), the same key with another body is 409 idempotency_key_reuse, and a
 * twin that arrives while the first is still being handled is 409 request_in_progress.
 */

import { createHash } from 'node:crypto';
import { errorAnswer, type Answer } from './http';

const DAY_MS = 24 * 3600 * 1000;

interface Entry {
	hash: string;
	state: 'processing' | 'done';
	answer?: Answer;
	expiresAt: number;
}

export class IdempotencyStore {
	private readonly entries = new Map<string, Entry>();

	/**
	 * Opens a submission. Returns the answer to give at once (a replay or a 409), or a
	 * `remember` function that records the submission's own answer when it is known.
	 */
	open(
		apiKey: string,
		idempotencyKey: string | undefined,
		slug: string,
		raw: Buffer,
		now: number,
	): { answer: Answer } | { remember: (answer: Answer) => Answer } {
		const hash = createHash('sha256').update(slug).update('\n').update(raw).digest('hex');
		const slot = idempotencyKey ? `${apiKey}\n${idempotencyKey}` : undefined;
		if (!slot) return { remember: (answer) => answer };
		const seen = this.entries.get(slot);
		if (seen && seen.expiresAt > now) {
			if (seen.hash !== hash)
				return { answer: errorAnswer(409, 'idempotency_key_reuse', 'Idempotency-Key reused with a different request') };
			if (seen.state === 'processing') {
				return {
					answer: {
						...errorAnswer(409, 'request_in_progress', 'A request with this Idempotency-Key is still being processed'),
						headers: { 'Retry-After': '1' },
					},
				};
			}
			return { answer: { ...seen.answer!, headers: { 'Idempotent-Replayed': 'true' } } };
		}
		this.entries.set(slot, { hash, state: 'processing', expiresAt: now + DAY_MS });
		return {
			remember: (answer) => {
				// Only answers that created a job are replayed; errors may be retried afresh.
				if (answer.status === 200) this.entries.set(slot, { hash, state: 'done', answer, expiresAt: now + DAY_MS });
				else this.entries.delete(slot);
				return answer;
			},
		};
	}
}
