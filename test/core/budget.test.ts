/** The shared request budget: pacing, bursts, the sliding minute, and re-pacing when the key's real limit is learned. */

import { RequestBudget } from '../../core/http/budget';

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
