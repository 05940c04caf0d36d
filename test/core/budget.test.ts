/** The shared request budget: pacing, bursts, the sliding minute, and re-pacing when the key's real limit is learned. */

import { ClipiaClient, KeyState } from '../../core';
import { RequestBudget } from '../../core/http/budget';
import { json, scriptedRuntime, SteppedClock } from '../helpers/runtime';

/** Runs time on in 50 ms steps until every promise settled. */
async function until<T>(clock: SteppedClock, work: Array<Promise<T>>): Promise<T[]> {
	let done = false;
	const all = Promise.all(work).finally(() => (done = true));
	while (!done) await clock.advance(50);
	return all;
}

/** A clock that stands still; each take() records how long it was told to wait. */
function stillClock() {
	const waits: number[] = [];
	return { waits, runtime: { now: () => 1_000_000, sleep: async (ms: number) => void waits.push(ms) } };
}

const DEFAULT_SLOT_MS = 60_000 / 108; // 90% of Clipia's published 120/min
const LEARNED_SLOT_MS = 60_000 / 540; // 90% of a 600/min key

it('lets a quarter of the minute through at once (27 past the first), then one request per slot', async () => {
	const { waits, runtime } = stillClock();
	const budget = new RequestBudget(runtime);
	for (let n = 0; n < 30; n++) await budget.take();
	expect(waits).toEqual([DEFAULT_SLOT_MS, 2 * DEFAULT_SLOT_MS].map((ms) => expect.closeTo(ms, 3)));
});

it('never books more than 90% of the limit in any minute, however long the burst allowance', async () => {
	const { waits, runtime } = stillClock();
	const budget = new RequestBudget(runtime, { burst: 1_000 });
	for (let n = 0; n < 110; n++) await budget.take();
	// 108 go at once; the 109th waits for the first to leave the minute, the 110th for the second.
	expect(waits).toEqual([60_000, 60_000]);
});

it('once the key tells a higher limit, what was booked at the default pace is re-paced: later requests do not queue behind it', async () => {
	const { waits, runtime } = stillClock();
	const budget = new RequestBudget(runtime, { burst: 10 });
	for (let n = 0; n < 40; n++) await budget.take();
	expect(waits[waits.length - 1]).toBeCloseTo(29 * DEFAULT_SLOT_MS, 3);
	budget.observe({ 'ratelimit-limit': '600' });
	await budget.take();
	// The 41st request: 30 slots past the burst at the learned pace (3.3 s), not at the default (16.7 s).
	expect(waits[waits.length - 1]).toBeCloseTo(30 * LEARNED_SLOT_MS, 3);
});

it('a scarce minute (another process spends the key): requests go one at a time until an answer shows room', async () => {
	const clock = new SteppedClock();
	let inFlight = 0;
	let mostAtOnce = 0;
	let remaining = 0;
	const { runtime, requests } = scriptedRuntime(async () => {
		inFlight++;
		mostAtOnce = Math.max(mostAtOnce, inFlight);
		await clock.sleep(100);
		inFlight--;
		return json(
			200,
			{ request_id: 'r', status: 'IN_PROGRESS' },
			{ 'RateLimit-Limit': '120', 'RateLimit-Remaining': String(remaining), 'RateLimit-Reset': '5' },
		);
	}, clock);
	const client = new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', budget: {} });
	const reads = (count: number) =>
		until(
			clock,
			Array.from({ length: count }, () => client.status('00000000-aaaa-4bbb-8ccc-dddddddddddd')),
		);
	// The key's minute is spent: the budget waits for its reset (5 s).
	await reads(1);
	const spentAt = clock.now();
	// A sliding minute frees a few at the reset: each answer still shows less than a tenth of 120 left.
	remaining = 5;
	await reads(6);
	expect(clock.now() - spentAt).toBeGreaterThanOrEqual(5_000);
	expect(mostAtOnce).toBe(1);
	// An answer shows room again: requests go together.
	remaining = 60;
	await reads(1);
	await reads(6);
	expect(mostAtOnce).toBe(6);
	expect(requests).toHaveLength(14);
});

it("a probe for room due while the key's minute is spent waits past the reset for the reads of the ends it points at", async () => {
	const clock = new SteppedClock();
	// random() = 0.5: this process wakes half a second past the reset (see RequestBudget.pauseUntil).
	const budget = new RequestBudget({ now: clock.now, sleep: clock.sleep, random: () => 0.5 });
	const started = clock.now();
	// This process holds one generation; its next submit is refused: the key is full for 3 s.
	const first = (await budget.slots.enter())!;
	first.sending();
	first.accepted('ours');
	const second = (await budget.slots.enter())!;
	second.sending();
	second.refused(3_000);
	// It waits to go again; then the key's minute runs out for 10 s: nothing, reads included, goes before then.
	const again = budget.slots.enter(undefined, Infinity, true);
	budget.pauseUntil(started + 10_000);
	const [probe] = await until(clock, [again]);
	probe!.withdrawn();
	// Not at 4.5 s (the Retry-After and 1.5 s), nor as it wakes from the pause, where it would take
	// the room the ends read from then on make: 1.5 s past its wake (10.5 s).
	expect(clock.now() - started).toBeGreaterThanOrEqual(12_000);
	expect(clock.now() - started).toBeLessThanOrEqual(12_100);
});

it('two processes paused for one reset wake at their own moments within a second past it, not together', async () => {
	const clock = new SteppedClock();
	const draws = [0.2, 0.7];
	const [first, second] = draws.map(
		(draw) => new RequestBudget({ now: clock.now, sleep: clock.sleep, random: () => draw }),
	);
	const started = clock.now();
	for (const budget of [first, second]) budget.pauseUntil(started + 5_000);
	// The pause grows while it lasts (another answer said so): the same offset, not a new draw.
	first.pauseUntil(started + 6_000);
	const sent: number[] = [];
	await until(
		clock,
		[first, second].map(async (budget) => {
			(await budget.take())!.done();
			sent.push(clock.now() - started);
		}),
	);
	expect(sent.sort((a, b) => a - b)).toEqual([5_700, 6_200]);
});

it("two processes end a round together near the end of the key's minute: neither sends into what the other takes, and none is refused", async () => {
	const clock = new SteppedClock();
	const started = clock.now();
	// What the key's minute has left: it frees nothing until 30 s from now (all of it then).
	let left = 40;
	let refused = 0;
	const { runtime } = scriptedRuntime(async () => {
		// Answers take 100 ms: a burst is all out before the first of its answers tells anything.
		await clock.sleep(100);
		if (clock.now() >= started + 30_000) left = 120;
		const reset = String(Math.max(1, Math.ceil((started + 30_000 - clock.now()) / 1000)));
		if (left === 0) {
			refused++;
			return json(
				429,
				{ error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } },
				{ 'RateLimit-Limit': '120', 'RateLimit-Remaining': '0', 'RateLimit-Reset': reset, 'Retry-After': reset },
			);
		}
		left--;
		return json(
			200,
			{ request_id: 'r1', status: 'IN_PROGRESS' },
			{ 'RateLimit-Limit': '120', 'RateLimit-Remaining': String(left), 'RateLimit-Reset': reset },
		);
	}, clock);
	// A process: its own KeyState, whose budget has spent little of its own minute (a burst of 25 is within it).
	const worker = () => {
		const key = new KeyState(runtime);
		return (count: number) =>
			Array.from({ length: count }, () =>
				new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key }).result('r1'),
			);
	};
	const [a, b] = [worker(), worker()];
	// Each has seen what the minute has left (39, then 38)...
	await until(clock, [...a(1), ...b(1)]);
	// ...when a round of generations ends and each wants 25 reads at once: 50 for 38.
	const reads = await until(clock, [...a(25), ...b(25)]);
	expect(reads).toHaveLength(50);
	// Each counts what is left down twice for each request it sends: both stop at a tenth left and
	// go one at a time, and the first answer that says the minute is spent pauses the rest until its
	// reset. Before, 12 were refused: 10 of the bursts, then one more for each request that waited
	// its turn behind a refused one and went without seeing the pause.
	expect(refused).toBe(0);
	expect(clock.now() - started).toBeGreaterThanOrEqual(30_000);
	expect(clock.now() - started).toBeLessThan(32_000);
});

it('in a scarce minute, requests waiting behind one answered 429 wait for its pause, not one more refusal each', async () => {
	const clock = new SteppedClock();
	const started = clock.now();
	const sentAt: number[] = [];
	const { runtime } = scriptedRuntime(async () => {
		sentAt.push(clock.now() - started);
		await clock.sleep(100);
		const limits = { 'RateLimit-Limit': '120', 'RateLimit-Reset': '5' };
		// The first answer says the minute is scarce; the second is refused: another process spent it.
		if (sentAt.length === 2)
			return json(
				429,
				{ error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } },
				{ ...limits, 'RateLimit-Remaining': '0', 'Retry-After': '5' },
			);
		return json(200, { request_id: 'r1', status: 'IN_PROGRESS' }, { ...limits, 'RateLimit-Remaining': '5' });
	}, clock);
	const key = new KeyState(runtime);
	const read = () => new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key }).result('r1');
	await until(clock, [read()]);
	await until(clock, [read(), read(), read()]);
	// One at a time, so the refused one went alone; the other two go once its answer's pause of 5 s
	// is over, not one answer after another into the spent minute (before: at once after it, 100 ms
	// apart, each refused in turn on a key still spent).
	const refusedAnsweredAt = sentAt[1] + 100;
	expect(sentAt[2]).toBeGreaterThanOrEqual(refusedAnsweredAt + 5_000);
	// The first read, the three, and the refused one's retry after the pause.
	expect(sentAt).toHaveLength(5);
});

it("alone on a key, a burst as its oldest bookings leave its own minute does not meet them still in the key's", async () => {
	const clock = new SteppedClock();
	const started = clock.now();
	const arrived: number[] = [];
	let refused = 0;
	const { runtime } = scriptedRuntime(async () => {
		const minute = arrived.filter((at) => at > clock.now() - 60_000);
		// Answers take a second to come back.
		if (minute.length >= 120) {
			await clock.sleep(1_000);
			refused++;
			const reset = String(Math.max(1, Math.ceil((minute[0] + 60_000 - clock.now()) / 1000)));
			return json(
				429,
				{ error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } },
				{ 'RateLimit-Limit': '120', 'RateLimit-Remaining': '0', 'RateLimit-Reset': reset, 'Retry-After': reset },
			);
		}
		arrived.push(clock.now());
		const inMinute = minute.length + 1;
		// When the oldest request of the window leaves it.
		const reset = String(Math.max(1, Math.ceil(((minute[0] ?? clock.now()) + 60_000 - clock.now()) / 1000)));
		await clock.sleep(1_000);
		return json(
			200,
			{ request_id: 'r1', status: 'IN_PROGRESS' },
			{ 'RateLimit-Limit': '120', 'RateLimit-Remaining': String(120 - inMinute), 'RateLimit-Reset': reset },
		);
	}, clock);
	const key = new KeyState(runtime);
	const reads = Array.from({ length: 150 }, () =>
		new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key }).result('r1'),
	);
	await until(clock, reads);
	// At 60 s the first burst leaves its own minute, but not yet the key's (it arrived 100 ms after
	// it went). What is left, counted down as requests go, sends one at a time there, and the
	// answers tell when room comes. Before: 28 at once, 15 refused, 77.2 s.
	expect(refused).toBe(0);
	expect(clock.now() - started).toBeLessThanOrEqual(72_000);
});
