/** How the nodes reach Clipia: one rate budget per key in a process, shared by every execution on it. */

import type { IExecuteFunctions } from 'n8n-workflow';
import { clientFor } from '../../nodes/shared/transport';

/** An execution as clientFor sees it: just its credential. */
const execution = (apiKey: string, baseUrl = 'https://api.clipia.ai') =>
	({ getCredentials: async () => ({ apiKey, baseUrl }), helpers: {} }) as unknown as IExecuteFunctions;

it('executions on one key share its request budget; another key, or another Clipia, gets its own', async () => {
	const [first, second, otherKey, otherHost] = await Promise.all([
		clientFor(execution('clipia_live_shared_a')),
		clientFor(execution('clipia_live_shared_a')),
		clientFor(execution('clipia_live_shared_b')),
		clientFor(execution('clipia_live_shared_a', 'http://127.0.0.1:4010')),
	]);
	expect(second).not.toBe(first);
	expect(second.budget).toBe(first.budget);
	expect(otherKey.budget).not.toBe(first.budget);
	expect(otherHost.budget).not.toBe(first.budget);
});

it('a request booked by one execution delays the next execution on the key (the budget is one)', async () => {
	const a = await clientFor(execution('clipia_live_shared_pace'));
	const b = await clientFor(execution('clipia_live_shared_pace'));
	// Spend the burst and a little more from a; b's next request then has to wait its turn.
	for (let n = 0; n < 28; n++) await a.budget.take();
	const started = Date.now();
	await b.budget.take();
	expect(Date.now() - started).toBeGreaterThanOrEqual(400);
});
