/**
 * The key's concurrent generations: when Clipia refuses a submit for "too many at once",
 * this process's submits wait and go one at a time until one is accepted, and reads are
 * not held up. A scripted key that runs 2 generations at once, on a stepped fake clock.
 */

import { ClipiaClient, KeyState } from '../../core';
import { json, scriptedRuntime, SteppedClock } from '../helpers/runtime';

const RUN_MS = 8_000;

/** A key that runs `concurrency` generations of RUN_MS at once and refuses more with a 429. */
function busyKey(concurrency: number) {
	const clock = new SteppedClock();
	const ends: number[] = [];
	let refused = 0;
	const { runtime, requests } = scriptedRuntime((request) => {
		const now = clock.now();
		if (request.method === 'GET') return json(200, { request_id: 'r', status: 'IN_PROGRESS' });
		const running = ends.filter((end) => end > now);
		if (running.length >= concurrency) {
			refused++;
			const retryAfter = Math.max(1, Math.ceil((Math.min(...running) - now) / 1000));
			return json(
				429,
				{ error: { code: 'rate_limit_exceeded', message: `Too many concurrent generations (limit ${concurrency})` } },
				{ 'Retry-After': String(retryAfter), 'RateLimit-Limit': '120', 'RateLimit-Remaining': '90' },
			);
		}
		ends.push(now + RUN_MS);
		return json(200, { request_id: `r${ends.length}`, status: 'IN_QUEUE' }, { 'RateLimit-Remaining': '90' });
	}, clock);
	const key = new KeyState(runtime, { requestsPerMinute: 600 });
	const client = () => new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key });
	const separateClient = () =>
		new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', budget: { requestsPerMinute: 600 } });
	return { clock, client, separateClient, requests, refusedCount: () => refused };
}

/** Runs time on in 100 ms steps until every promise settled. */
async function until<T>(clock: SteppedClock, work: Array<Promise<T>>): Promise<T[]> {
	let done = false;
	const all = Promise.all(work).finally(() => (done = true));
	while (!done) await clock.advance(100);
	return all;
}

it('10 submits on a key that runs 2 at once: one refused submit per wait, not one per waiting item', async () => {
	const { clock, client, refusedCount } = busyKey(2);
	const started = clock.now();
	const patient = { rateLimitDeadline: started + 10 * 60_000 };
	// Ten executions' worth of submits, each with its own client, sharing the key's budget.
	const submitted = await until(
		clock,
		Array.from({ length: 10 }, () => client().submit('flux-2', { prompt: 'a cat' }, patient)),
	);
	expect(submitted).toHaveLength(10);
	// 5 rounds of 2; each later round opens once the round before ends: 4 waits.
	expect(clock.now() - started).toBeLessThanOrEqual(4 * RUN_MS + 1_000);
	// The first round's 8 refusals (all went together), then one probe per wait.
	expect(refusedCount()).toBeLessThanOrEqual(8 + 4);
});

it('the control: clients that share nothing (as separate processes) are each refused at every wait', async () => {
	const { clock, separateClient, refusedCount } = busyKey(2);
	const patient = { rateLimitDeadline: clock.now() + 10 * 60_000 };
	await until(
		clock,
		Array.from({ length: 10 }, () => separateClient().submit('flux-2', { prompt: 'a cat' }, patient)),
	);
	expect(refusedCount()).toBeGreaterThan(8 + 4 * 2);
});

it('a refusal for concurrency holds submits only: a read goes out at once', async () => {
	const { clock, client, requests } = busyKey(1);
	const patient = { rateLimitDeadline: clock.now() + 10 * 60_000 };
	const first = client().submit('flux-2', { prompt: 'one' }, patient);
	await clock.advance(0);
	await first;
	const second = client().submit('flux-2', { prompt: 'two' }, patient);
	await clock.advance(0);
	const before = clock.now();
	const read = client().status('00000000-aaaa-4bbb-8ccc-dddddddddddd');
	await clock.advance(0);
	await expect(read).resolves.toMatchObject({ status: 'IN_PROGRESS' });
	expect(clock.now()).toBe(before);
	expect(requests.filter((request) => request.method === 'POST')).toHaveLength(2);
	await until(clock, [second]);
});
