/**
 * The emulator's scaled clock: model time runs `timeScale` times faster than the wall clock
 * (60 runs a one-minute video in a second), rate-limit windows and Retry-After included.
 */

export class ModelClock {
	private readonly realStart = Date.now();
	/** Sleeps under way: a stopped emulator ends them, so nothing of it outlives it. */
	private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

	constructor(
		readonly timeScale: number,
		/** Rate-limit headers in wall-clock terms, for clients on the real clock (n8n nodes, the bridge). */
		private readonly wallClockHeaders: boolean,
	) {}

	/** Model-time now, in ms. */
	now(): number {
		return this.realStart + (Date.now() - this.realStart) * this.timeScale;
	}

	/** Resolves after `ms` of model time, or when `stop` ends every sleep. */
	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const sleep = {
				wake: () => {
					this.sleeping.delete(sleep);
					clearTimeout(sleep.timer);
					resolve();
				},
				timer: setTimeout(() => sleep.wake(), ms / this.timeScale),
			};
			this.sleeping.add(sleep);
		});
	}

	/** Ends every sleep under way at once (the emulator is stopping: its answers go nowhere). */
	stop(): void {
		for (const sleep of [...this.sleeping]) sleep.wake();
	}

	/** Requests per minute as the client's clock sees them. */
	advertisedLimit(perModelMinute: number): number {
		return this.wallClockHeaders ? Math.floor(perModelMinute * this.timeScale) : perModelMinute;
	}

	/** Model seconds as the client's clock sees them (whole seconds, at least 1). */
	advertisedSeconds(modelSeconds: number): number {
		return this.wallClockHeaders ? Math.max(1, Math.ceil(modelSeconds / this.timeScale)) : modelSeconds;
	}
}
