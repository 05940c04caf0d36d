/** Runtimes for core in tests: a fake clock with scripted HTTP, and real HTTP over fetch. */

import type { HttpRequest, HttpResponse, Runtime, Transport } from '../../core';

/** Virtual time: `sleep` moves the clock forward at once and records how long it was. */
export class FakeClock {
	time = 1_700_000_000_000;
	readonly sleeps: number[] = [];
	now = (): number => this.time;
	sleep = async (ms: number): Promise<void> => {
		this.sleeps.push(ms);
		this.time += ms;
		await Promise.resolve();
	};
}

/** A clock whose sleeps end only when the test moves time on, so concurrent callers overlap as in real time. */
export class SteppedClock extends FakeClock {
	private timers: Array<{ at: number; wake: () => void }> = [];
	override sleep = (ms: number): Promise<void> =>
		new Promise<void>((wake) => {
			this.sleeps.push(ms);
			this.timers.push({ at: this.time + ms, wake });
		});
	/** When the soonest sleep ends; undefined when nobody sleeps. */
	nextWake(): number | undefined {
		return this.timers.length ? Math.min(...this.timers.map((one) => one.at)) : undefined;
	}
	async advance(ms: number): Promise<void> {
		this.time += ms;
		for (const timer of this.timers.filter((one) => one.at <= this.time)) timer.wake();
		this.timers = this.timers.filter((one) => one.at > this.time);
		for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
	}
}

export type Scripted = (request: HttpRequest, clock: FakeClock) => HttpResponse | Error | Promise<HttpResponse | Error>;

/** A transport that answers from a script and remembers every request. */
export function scriptedRuntime(script: Scripted, clock = new FakeClock()) {
	const requests: HttpRequest[] = [];
	const transport: Transport = async (request) => {
		requests.push(request);
		const answer = await script(request, clock);
		if (answer instanceof Error) throw answer;
		return answer;
	};
	const runtime: Runtime = { transport, sleep: clock.sleep, now: clock.now, random: () => 0.5 };
	return { runtime, requests, clock };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
	return { status, body, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
}

/** Real HTTP with Bearer auth, the way a surface's transport works. */
function fetchTransport(apiKey: string | undefined): Transport {
	return async (request) => {
		const response = await fetch(request.url, {
			method: request.method,
			headers: { ...request.headers, ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}) },
			body: request.body === undefined ? undefined : JSON.stringify(request.body),
			signal: request.signal,
		});
		const headers: Record<string, string> = {};
		response.headers.forEach((value, name) => (headers[name] = value));
		const text = await response.text();
		let body: unknown = text;
		try {
			body = text ? JSON.parse(text) : undefined;
		} catch {
			body = text;
		}
		return { status: response.status, headers, body };
	};
}

/** A clock that runs `scale` times faster than real time (to match a time-scaled emulator). */
function scaledClock(scale: number): Pick<Runtime, 'now' | 'sleep'> {
	const realStart = Date.now();
	return {
		now: () => realStart + (Date.now() - realStart) * scale,
		sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / scale)),
	};
}

export function realRuntime(apiKey: string | undefined, scale = 1): Runtime {
	return { transport: fetchTransport(apiKey), ...scaledClock(scale) };
}

/** The surfaces each pass their own next step; core's tests pass a neutral one. */
export const nextStep = (requestId: string): string => `Still running: continue with ${requestId}.`;
