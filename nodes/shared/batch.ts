/**
 * Many input items are worked on together: at most `limit` at once, each as soon as a
 * slot frees, results in input order. A canceled execution starts nothing new.
 */

import type { Settled } from '../../core';

export async function mapConcurrent<I, O>(
	inputs: readonly I[],
	limit: number,
	work: (input: I, index: number) => Promise<O>,
	signal?: AbortSignal,
): Promise<Array<Settled<O>>> {
	const results = new Array<Settled<O>>(inputs.length);
	let next = 0;
	async function worker(): Promise<void> {
		while (next < inputs.length) {
			const index = next++;
			if (signal?.aborted) {
				results[index] = { ok: false, error: new Error('The execution was canceled before this item started') };
				continue;
			}
			try {
				results[index] = { ok: true, value: await work(inputs[index], index) };
			} catch (error) {
				results[index] = { ok: false, error };
			}
		}
	}
	const workers = Math.max(1, Math.min(limit, inputs.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}
