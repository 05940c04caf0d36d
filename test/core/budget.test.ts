/** The shared request budget: pacing, bursts, and re-pacing when the key's real limit is learned. */

import { RequestBudget } from '../../core/http/budget';

/** A clock that stands still; each take() records how long it was told to wait. */
function stillClock() {
	const waits: number[] = [];
	return { waits, runtime: { now: () => 1_000_000, sleep: async (ms: number) => void waits.push(ms) } };
}

const DEFAULT_SLOT_MS = 60_000 / 108; // 90% of Clipia's published 120/min
const LEARNED_SLOT_MS = 60_000 / 540; // 90% of a 600/min key

it('lets the first 11 through at once (a burst of 10 past the first), then one request per slot', async () => {
	const { waits, runtime } = stillClock();
	const budget = new RequestBudget(runtime);
	for (let n = 0; n < 13; n++) await budget.take();
	expect(waits).toEqual([DEFAULT_SLOT_MS, 2 * DEFAULT_SLOT_MS].map((ms) => expect.closeTo(ms, 3)));
});

it('once the key tells a higher limit, what was booked at the default pace is re-paced: later requests do not queue behind it', async () => {
	const { waits, runtime } = stillClock();
	const budget = new RequestBudget(runtime);
	for (let n = 0; n < 20; n++) await budget.take();
	expect(waits[waits.length - 1]).toBeCloseTo(9 * DEFAULT_SLOT_MS, 3);
	budget.observe({ 'ratelimit-limit': '600' });
	await budget.take();
	// The 21st request: 10 slots past the burst at the learned pace (1.1 s), not at the default (5.6 s).
	expect(waits[waits.length - 1]).toBeCloseTo(10 * LEARNED_SLOT_MS, 3);
});
