/** Clipia's webhook signature as core checks it: raw bytes, `t=` only, ±300 s, constant time. */

import { createHmac } from 'node:crypto';
import {
	parseWebhookBody,
	signWebhook as signWith,
	verifyWebhook as verifyWith,
	type HmacSha256,
} from '../../core/webhooks';

/** What a surface hands core: Node's HMAC. */
const hmac: HmacSha256 = (key, data) => createHmac('sha256', key).update(data).digest();
const signWebhook = (...args: [string, number, string]) => signWith(hmac, ...args);
const verifyWebhook = (...args: [string, string | Buffer, string | undefined, number]) => verifyWith(hmac, ...args);

const secret = 'whsec_test_secret';
const body = JSON.stringify({ request_id: '0b9f3c3e-4f6a-4a51-9d38-2d3c8a0f1e77', status: 'OK', payload: { cost: 4 } });
const now = Date.UTC(2026, 10, 22, 8, 0, 0);
const t = now / 1000;

it('accepts a delivery signed with the secret, within 5 minutes either way', () => {
	expect(verifyWebhook(secret, body, signWebhook(secret, t, body), now)).toEqual({ ok: true, timestamp: t });
	expect(verifyWebhook(secret, Buffer.from(body), signWebhook(secret, t - 300, body), now)).toMatchObject({ ok: true });
	expect(verifyWebhook(secret, body, signWebhook(secret, t + 300, body), now)).toMatchObject({ ok: true });
});

it('refuses a forged, tampered, stale or future delivery', () => {
	expect(verifyWebhook(secret, body, signWebhook('whsec_guess', t, body), now)).toEqual({
		ok: false,
		reason: 'mismatch',
	});
	expect(verifyWebhook(secret, body.replace('"cost":4', '"cost":0'), signWebhook(secret, t, body), now)).toEqual({
		ok: false,
		reason: 'mismatch',
	});
	// A delivery replayed later than the window: its t is stale, and t can't be changed without the secret.
	expect(verifyWebhook(secret, body, signWebhook(secret, t - 301, body), now)).toEqual({ ok: false, reason: 'stale' });
	expect(verifyWebhook(secret, body, signWebhook(secret, t + 301, body), now)).toEqual({ ok: false, reason: 'stale' });
	const moved = signWebhook(secret, t - 1000, body).replace(`t=${t - 1000}`, `t=${t}`);
	expect(verifyWebhook(secret, body, moved, now)).toEqual({ ok: false, reason: 'mismatch' });
});

it('says what is wrong with a header that is missing or not a signature', () => {
	expect(verifyWebhook(secret, body, undefined, now)).toEqual({ ok: false, reason: 'missing_signature' });
	expect(verifyWebhook(secret, body, 'sha256=abc', now)).toEqual({ ok: false, reason: 'malformed_signature' });
	expect(verifyWebhook(secret, body, `t=${t}`, now)).toEqual({ ok: false, reason: 'malformed_signature' });
	expect(verifyWebhook(secret, body, `t=${t},v1=zz`, now)).toEqual({ ok: false, reason: 'mismatch' });
});

it('takes any matching v1 while a secret is rotated', () => {
	const old = signWebhook('whsec_old', t, body).split(',')[1];
	expect(verifyWebhook(secret, body, `${signWebhook(secret, t, body)},${old}`, now)).toMatchObject({ ok: true });
	expect(verifyWebhook('whsec_old', body, `${signWebhook(secret, t, body)},${old}`, now)).toMatchObject({ ok: true });
});

describe('what a verified body tells', () => {
	const body = (value: unknown) => JSON.stringify(value);
	const success = (output: unknown, extra: Record<string, unknown> = {}) =>
		body({ request_id: 'r1', status: 'OK', payload: { model: 'seedance-2-fast-t2v', output, cost: 40, ...extra } });

	it('a success with its model, cost and every URL is the result: nothing to read', () => {
		expect(parseWebhookBody(success({ video: { url: 'https://media.clipia.ai/r1.mp4', duration: 5 } }))).toEqual({
			request_id: 'r1',
			status: 'OK',
			ended: {
				request_id: 'r1',
				status: 'COMPLETED',
				model: 'seedance-2-fast-t2v',
				cost: 40,
				output: { video: { url: 'https://media.clipia.ai/r1.mp4', duration: 5 } },
			},
		});
		expect(
			parseWebhookBody(success({ images: [{ url: 'https://a/1.webp' }, { url: 'https://a/2.webp' }] }))?.ended,
		).toBeDefined();
		expect(parseWebhookBody(success({ audio: { url: 'https://a/1.mp3' } }))?.ended).toBeDefined();
	});

	it('anything it does not tell whole is read from the API: a failure or cancel, a URL missing, a shape not known here', () => {
		const unread = [
			body({ request_id: 'r1', status: 'ERROR', error: { code: 'GENERATION_FAILED', message: 'x' } }),
			body({ request_id: 'r1', status: 'CANCELED' }),
			success({ video: {} }),
			success({ images: [{ url: 'https://a/1.webp' }, { width: 3 }] }),
			success({ images: [] }),
			success({}),
			success({ video: { url: 'https://a/1.mp4' }, model3d: { url: 'https://a/1.glb' } }),
			success({ video: { url: 'https://a/1.mp4' } }, { cost: '40' }),
			success({ video: { url: 'https://a/1.mp4' } }, { model: '' }),
			body({ request_id: 'r1', status: 'OK' }),
		];
		for (const raw of unread) {
			const delivery = parseWebhookBody(raw);
			expect(delivery?.request_id).toBe('r1');
			expect(delivery?.ended).toBeUndefined();
		}
	});
});
