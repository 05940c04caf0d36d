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
	return { clock, runtime, client, separateClient, requests, refusedCount: () => refused };
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
	// 5 rounds of 2; each later round opens once the round before ends: 4 waits (each 1.5 s past
	// its Retry-After, the time the owner of the ending generation gets to read it and take the room).
	expect(clock.now() - started).toBeLessThanOrEqual(4 * (RUN_MS + 1_500) + 1_000);
	// Slow start: 1 accepted, then 2 sent together (one refused); then one probe per wait.
	expect(refusedCount()).toBeLessThanOrEqual(1 + 4);
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

it('its own ends are its room: items that wait for their generation refill the key as their own end, with no probe refused', async () => {
	const clock = new SteppedClock();
	const ends = new Map<string, number>();
	let refused = 0;
	const { runtime } = scriptedRuntime((request) => {
		const now = clock.now();
		if (request.method === 'GET') {
			const id = request.url.split('/').pop()!;
			return json(200, { request_id: id, status: now >= ends.get(id)! ? 'COMPLETED' : 'IN_PROGRESS' });
		}
		const running = [...ends.values()].filter((end) => end > now);
		if (running.length >= 2) {
			refused++;
			const retryAfter = Math.max(1, Math.ceil((Math.min(...running) - now) / 1000));
			return json(
				429,
				{ error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } },
				{ 'Retry-After': String(retryAfter), 'RateLimit-Limit': '600', 'RateLimit-Remaining': '590' },
			);
		}
		const id = `r${ends.size + 1}`;
		// Each generation runs a little longer than the one before: ends never coincide.
		ends.set(id, now + RUN_MS + 300 * ends.size);
		return json(
			200,
			{ request_id: id, status: 'IN_QUEUE' },
			{ 'RateLimit-Limit': '600', 'RateLimit-Remaining': '590' },
		);
	}, clock);
	const key = new KeyState(runtime, { requestsPerMinute: 600 });
	const started = clock.now();
	const item = async () => {
		const client = new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key });
		const { request_id: id } = await client.submit(
			'flux-2',
			{ prompt: 'a cat' },
			{ rateLimitDeadline: started + 600_000 },
		);
		// As a waiting node does: it looks until its generation ends.
		while ((await client.result(id)).status !== 'COMPLETED') await clock.sleep(250);
	};
	await until(clock, Array.from({ length: 8 }, item));
	// Slow start: the first round costs one refusal (six went together before it); after that, each end
	// is refilled by its owner, and the probes for more are few.
	expect(refused).toBeLessThanOrEqual(3);
	// Each end refilled within a look (250 ms): the chain r2 → r4 → r6 → r8 (runs of 8.3, 8.9, 9.5 and
	// 10.1 s, a look after each) ends at 37.7 s; nothing waits for a Retry-After.
	expect(clock.now() - started).toBeLessThanOrEqual(38_500);
});

it('a key another process fills: five submits meet it with one refused submit, not five', async () => {
	const { clock, client, refusedCount, runtime } = busyKey(10);
	const patient = { rateLimitDeadline: clock.now() + 10 * 60_000 };
	// Another n8n worker holds the key's ten.
	await until(
		clock,
		Array.from({ length: 10 }, () => client().submit('flux-2', { prompt: 'theirs' }, patient)),
	);
	expect(refusedCount()).toBe(0);
	const ours = new KeyState(runtime, { requestsPerMinute: 600 });
	const started = clock.now();
	const submitted = await until(
		clock,
		Array.from({ length: 5 }, () =>
			new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key: ours }).submit(
				'flux-2',
				{ prompt: 'ours' },
				patient,
			),
		),
	);
	expect(submitted).toHaveLength(5);
	// Slow start: the first goes alone and is refused; the others wait with it for the room (its
	// Retry-After and 1.5 s, the time the other worker gets to read its end first).
	expect(refusedCount()).toBe(1);
	expect(clock.now() - started).toBeLessThanOrEqual(RUN_MS + 2_000);
});

it('Max Concurrency 20 on a key of 10: the eleventh submit is refused alone, and the rest go when the room comes', async () => {
	const { clock, client, refusedCount } = busyKey(10);
	const patient = { rateLimitDeadline: clock.now() + 10 * 60_000 };
	const started = clock.now();
	const submitted = await until(
		clock,
		Array.from({ length: 20 }, () => client().submit('flux-2', { prompt: 'a cat' }, patient)),
	);
	expect(submitted).toHaveLength(20);
	// Past the likely limit (10 at once), one at a time: one refusal, then a probe 1.5 s past its
	// Retry-After finds room.
	expect(refusedCount()).toBe(1);
	expect(clock.now() - started).toBeLessThanOrEqual(RUN_MS + 2_000);
});

it('on a key with room, a stalled submit holds the others back two seconds at most, not for its whole timeout', async () => {
	const clock = new SteppedClock();
	let posts = 0;
	const sentAt: number[] = [];
	const { runtime } = scriptedRuntime(async (request) => {
		if (request.method !== 'POST') return json(200, { request_id: 'r', status: 'IN_PROGRESS' });
		const n = ++posts;
		sentAt.push(clock.now());
		// The first answer never comes: the request's own timeout ends it.
		if (n === 1) {
			await clock.sleep(request.timeoutMs ?? 30_000);
			return new Error('ETIMEDOUT');
		}
		return json(200, { request_id: `r${n}`, status: 'IN_QUEUE' }, { 'RateLimit-Remaining': '100' });
	}, clock);
	const key = new KeyState(runtime, { requestsPerMinute: 600 });
	const submits = Array.from({ length: 5 }, (_, n) =>
		new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key }).submit('flux-2', { prompt: `cat ${n}` }),
	);
	await until(clock, submits.slice(1));
	// Slow start sends the first alone; once it has waited 2 s, the others go (and widen as they are accepted).
	expect(sentAt.slice(0, 5).map((at) => at - sentAt[0])).toEqual([0, 2_000, 2_000, 2_000, 2_000]);
	await until(clock, submits);
});

it("two processes share a key: they split it evenly from the start, and the other's room is taken as soon as one runs out of work", async () => {
	const clock = new SteppedClock();
	const ends = new Map<string, number>();
	const refusedBy = { a: 0, b: 0 };
	const { runtime } = scriptedRuntime((request) => {
		const now = clock.now();
		// Each process reaches the key by its own host name, so the key knows whose submit it refuses.
		const owner = new URL(request.url).hostname.split('.')[0] as 'a' | 'b';
		if (request.method === 'GET') {
			const id = request.url.split('/').pop()!;
			return json(200, { request_id: id, status: now >= ends.get(id)! ? 'COMPLETED' : 'IN_PROGRESS' });
		}
		const running = [...ends.values()].filter((end) => end > now);
		if (running.length >= 10) {
			refusedBy[owner]++;
			// As an API that counts running generations: the seconds until the soonest of them ends.
			const retryAfter = Math.max(1, Math.ceil((Math.min(...running) - now) / 1000));
			return json(
				429,
				{ error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } },
				{ 'Retry-After': String(retryAfter), 'RateLimit-Limit': '600', 'RateLimit-Remaining': '500' },
			);
		}
		const id = `r${ends.size + 1}`;
		ends.set(id, now + RUN_MS);
		return json(
			200,
			{ request_id: id, status: 'IN_QUEUE' },
			{ 'RateLimit-Limit': '600', 'RateLimit-Remaining': '500' },
		);
	}, clock);
	const started = clock.now();
	/** One process: its own KeyState, 10 items at once (two executions of Max Concurrency 5), `count` in all. */
	const runProcess = (who: 'a' | 'b', count: number) => {
		const key = new KeyState(runtime, { requestsPerMinute: 600 });
		let next = 0;
		const lane = async () => {
			while (next < count) {
				next++;
				const client = new ClipiaClient(runtime, { baseUrl: `https://${who}.clipia.test`, key });
				const { request_id: id } = await client.submit(
					'flux-2',
					{ prompt: who },
					{ rateLimitDeadline: started + 600_000 },
				);
				// As a node that learned the run time: a first look at the expected end, then one every 250 ms.
				await clock.sleep(RUN_MS);
				while ((await client.result(id)).status !== 'COMPLETED') await clock.sleep(250);
			}
		};
		return Array.from({ length: 10 }, lane);
	};
	await until(clock, [...runProcess('a', 40), ...runProcess('b', 40)]);
	// They start together and fill half the key each (one at a time past half), and each refills its
	// own room. When one runs out of work, the other's probe (1.5 s past a Retry-After) takes its
	// room. 64.1 s; before, 72.1 s with the key split 7 to 3 by the start's overshoot (77.6 s when
	// a probe waited out a backoff).
	const bound = (80 * RUN_MS) / 10;
	expect(clock.now() - started).toBeLessThanOrEqual(bound * 1.05);
	// One refused each as both start; then a probe now and then, not one a round (before: 11).
	expect(refusedBy.a + refusedBy.b).toBeLessThanOrEqual(7);
});

/**
 * A key of 10 at once whose answers take 100 ms (what a process sends in one round overlaps the
 * other's), and n8n workers on it: each its own KeyState, each item a submit and then looks at
 * its expected end until it is seen to end.
 */
function latentKey({ queuedMs = 0 } = {}) {
	const clock = new SteppedClock();
	const ends = new Map<string, number>();
	const refusedAt: number[] = [];
	const { runtime } = scriptedRuntime(async (request) => {
		await clock.sleep(100);
		const now = clock.now();
		const limits = { 'RateLimit-Limit': '600', 'RateLimit-Remaining': '500' };
		if (request.method === 'GET') {
			const id = request.url.split('/').pop()!;
			return json(200, { request_id: id, status: now >= ends.get(id)! ? 'COMPLETED' : 'IN_PROGRESS' }, limits);
		}
		const inFlight = [...ends.values()].filter((end) => end > now);
		if (inFlight.length >= 10) {
			refusedAt.push(now);
			// As an API that counts running generations only (`queuedMs` > 0): the soonest end of those
			// that started running, or 1 s while all of them are still queued.
			const running = inFlight.filter((end) => end - RUN_MS <= now);
			const soonest = running.length ? Math.min(...running) : now + 1_000;
			return json(
				429,
				{ error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } },
				{ ...limits, 'Retry-After': String(Math.max(1, Math.ceil((soonest - now) / 1000))) },
			);
		}
		const id = `r${ends.size + 1}`;
		ends.set(id, now + queuedMs + RUN_MS);
		return json(200, { request_id: id, status: 'IN_QUEUE' }, limits);
	}, clock);
	const worker = () => {
		const key = new KeyState(runtime, { requestsPerMinute: 600 });
		/** A batch of `count` items (two executions of Max Concurrency 5: 10 at once). */
		return (count: number) =>
			Array.from({ length: count }, async (_, n) => {
				const client = new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key });
				const { request_id: id } = await client.submit(
					'flux-2',
					{ prompt: `${n}` },
					{ rateLimitDeadline: clock.now() + 600_000 },
				);
				await clock.sleep(RUN_MS);
				while ((await client.result(id)).status !== 'COMPLETED') await clock.sleep(250);
			});
	};
	return { clock, ends, refusedAt, worker, runtime };
}

it('two processes start a batch on one key at once: each fills half of it, and the key is overshot by one refused submit each', async () => {
	const { clock, ends, refusedAt, worker } = latentKey();
	const started = clock.now();
	await until(clock, [...worker()(10), ...worker()(10)]);
	// Slow start (1, 2, then 2 up to half the likely 10) fills 5 each; then one at a time, the 11th
	// and 12th are refused. Before, a round of 4 each went into the last 4 places: 7 refused.
	expect(refusedAt.filter((at) => at < started + RUN_MS)).toHaveLength(2);
	expect([...ends.values()].filter((end) => end <= started + RUN_MS + 1_000)).toHaveLength(10);
});

it('two processes that each ran a batch alone start the next one together: each fills half again, not what it held before', async () => {
	const { clock, ends, refusedAt, worker } = latentKey();
	const [first, second] = [worker(), worker()];
	// Each held all ten of the key in a batch of its own (one at a time past five, no refusal).
	await until(clock, first(10));
	await until(clock, second(10));
	expect(refusedAt).toHaveLength(0);
	await clock.advance(5_000);
	const started = clock.now();
	await until(clock, [...first(10), ...second(10)]);
	// Had each trusted the 10 it held, both would have sent rounds into the last places: 7 refused.
	expect(refusedAt.filter((at) => at >= started && at < started + RUN_MS)).toHaveLength(2);
	expect([...ends.values()].filter((end) => end > started && end <= started + RUN_MS + 1_000)).toHaveLength(10);
});

it('a key that counts only running generations answers "Retry-After: 1" while the batch is queued: the probe waits for its own ends, not refused a second later', async () => {
	const { clock, ends, refusedAt, worker } = latentKey({ queuedMs: 1_000 });
	const started = clock.now();
	await until(clock, [...worker()(10), ...worker()(10)]);
	// One refused each as they fill the key; then no probe until their own first ends make room
	// (before: both probed 2.5 s in, at the vague Retry-After and 1.5 s, and both were refused).
	expect(refusedAt.filter((at) => at < started + 1_000 + RUN_MS)).toHaveLength(2);
	expect([...ends.values()]).toHaveLength(20);
	// Two rounds of a second queued and RUN_MS running, each refilled as its own end is read (19.3 s).
	expect(clock.now() - started).toBeLessThanOrEqual(2 * (1_000 + RUN_MS) + 2_000);
});

it('a quick call meets a vague Retry-After: it still probes at the Retry-After before its deadline, not giving up at once', async () => {
	const { clock, refusedAt, worker, runtime } = latentKey({ queuedMs: 5_000 });
	const key = new KeyState(runtime, { requestsPerMinute: 600 });
	const client = () => new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key });
	// This process holds one generation; another fills the key's other nine, all still queued.
	await until(clock, [client().submit('flux-2', { prompt: 'mine' })]);
	const other = worker();
	void other(9);
	for (let step = 0; step < 20; step++) await clock.advance(100);
	// A quick call (an MCP tool that does not wait) has 5 s: refused with "Retry-After: 1" (all the
	// key's generations are queued), it can't wait 15 s for one of its own to end, so it probes at
	// the Retry-After as before, is refused again, and ends by its deadline with the refusal.
	const started = clock.now();
	const quick = client()
		.submit('flux-2', { prompt: 'quick' }, { deadline: started + 5_000 })
		.then(
			() => 'sent',
			(error: Error) => error.message,
		);
	const [outcome] = await until(clock, [quick]);
	expect(outcome).toMatch(/rate limit/);
	// Refused as it was sent (answered 100 ms on), then the probe 1 s + 1.5 s later, refused too.
	expect(refusedAt.map((at) => at - started)).toEqual([200, 2_800]);
	expect(clock.now() - started).toBeLessThanOrEqual(5_000);
});
