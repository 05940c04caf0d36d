/**
 * The times of a call, computed alike by both surfaces and by the waiter: a call that may
 * wait `waitSeconds` stops waiting then (`waitUntil`), and Clipia's last answer, begun at
 * the latest then, must be in a little later (`deadline`). Everything under the call
 * (requests, retries, 429 patience, the wait) ends by `deadline`.
 */

/** Past a wait, what Clipia's last answer may take. */
export const LAST_ANSWER_MS = 3_000;

export function callDeadlines(now: number, waitSeconds: number): { waitUntil: number; deadline: number } {
	const waitUntil = now + Math.max(0, waitSeconds) * 1000;
	return { waitUntil, deadline: waitUntil + LAST_ANSWER_MS };
}
