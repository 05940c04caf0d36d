/** Reproducible Idempotency-Keys: the same job and request give the same key; anything else another. */

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson, reproducibleKey, type JobIdentity } from '../../core';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const job = (scope: string): JobIdentity => ({ scope, sha256Hex });
const UUID_V4_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

it('the same job and request give the same UUID-shaped key, whatever the order of the fields', () => {
	const a = reproducibleKey(job('wf\nnode\nrow-1'), 'kling-v3', { input: { prompt: 'a', duration: 5 } });
	const b = reproducibleKey(job('wf\nnode\nrow-1'), 'kling-v3', { input: { duration: 5, prompt: 'a' } });
	expect(a).toBe(b);
	expect(a).toMatch(UUID_V4_SHAPE);
});

it('another job, model, input or webhook address gives another key', () => {
	const base = reproducibleKey(job('wf\nnode\nrow-1'), 'kling-v3', { input: { prompt: 'a' } });
	const others = [
		reproducibleKey(job('wf\nnode\nrow-2'), 'kling-v3', { input: { prompt: 'a' } }),
		reproducibleKey(job('wf\nother node\nrow-1'), 'kling-v3', { input: { prompt: 'a' } }),
		reproducibleKey(job('wf\nnode\nrow-1'), 'veo-3', { input: { prompt: 'a' } }),
		reproducibleKey(job('wf\nnode\nrow-1'), 'kling-v3', { input: { prompt: 'b' } }),
		reproducibleKey(job('wf\nnode\nrow-1'), 'kling-v3', { input: { prompt: 'a' }, webhook_url: 'https://n8n/x' }),
	];
	expect(new Set([base, ...others]).size).toBe(6);
});

it('canonical JSON: equal values give equal text, unequal values unequal text (generated values)', () => {
	const shuffled = (value: unknown): unknown => {
		if (Array.isArray(value)) return value.map(shuffled);
		if (value && typeof value === 'object')
			return Object.fromEntries(
				Object.entries(value)
					.reverse()
					.map(([key, inner]) => [key, shuffled(inner)]),
			);
		return value;
	};
	fc.assert(
		fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
			expect(canonicalJson(shuffled(a))).toBe(canonicalJson(a));
			expect(JSON.parse(canonicalJson(a))).toEqual(JSON.parse(JSON.stringify(a)));
			if (canonicalJson(a) === canonicalJson(b))
				expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));
		}),
		{ numRuns: 500 },
	);
});
