/**
 * Generations and the queue they wait in: IN_QUEUE (at least the dispatch time, and until
 * a worker is free) → IN_PROGRESS (progress rises with time) → COMPLETED, FAILED or
 * CANCELED (failures end halfway, refunded). Everything moves on the model clock, in event order.
 */

import type { EmulatedModel } from './catalog';
import type { ModelClock } from './clock';
import { errorAnswer, type Answer } from './http';

export type Status = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELED';
export type Outcome = 'COMPLETED' | 'FAILED' | 'CANCELED';

export interface Job {
	id: string;
	key: string;
	model: EmulatedModel;
	input: Record<string, unknown>;
	cost: number;
	charged: boolean;
	createdAt: number;
	readyAt: number;
	runMs: number;
	outcome: Outcome;
	reportProgress: boolean;
	startedAt?: number;
	endAt?: number;
	status: Status;
	webhookUrl?: string;
	webhookDone: boolean;
	sandbox: boolean;
}

export function isTerminalStatus(status: Status): boolean {
	return status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELED';
}

export interface Directives {
	outcome?: 'FAILED' | 'CANCELED';
	duration?: number;
	noProgress?: boolean;
	badMedia?: boolean;
}

/**
 * Test directives inside a prompt, so workflows in a real n8n can ask for an outcome:
 * `[emulator:fail]`, `[emulator:cancel]`, `[emulator:seconds=30]`, `[emulator:no-progress]`,
 * `[emulator:bad-media]` (its media come back as an HTML page under the media's Content-Type).
 */
export function directivesOf(prompt: unknown): Directives {
	const text = typeof prompt === 'string' ? prompt : '';
	const directives: Directives = {};
	if (text.includes('[emulator:fail]')) directives.outcome = 'FAILED';
	if (text.includes('[emulator:cancel]')) directives.outcome = 'CANCELED';
	if (text.includes('[emulator:no-progress]')) directives.noProgress = true;
	if (text.includes('[emulator:bad-media]')) directives.badMedia = true;
	const seconds = text.match(/\[emulator:seconds=(\d+(?:\.\d+)?)\]/);
	if (seconds) directives.duration = Number(seconds[1]);
	return directives;
}

export class JobQueue {
	readonly jobs = new Map<string, Job>();
	private waiting: Job[] = [];
	private readonly running = new Set<Job>();
	private cursor = 0;

	constructor(
		private readonly clock: ModelClock,
		/** Generations running at once across all keys; more wait IN_QUEUE. */
		private readonly workers: number,
		/** Called when a charged job fails or is canceled: its credits go back. */
		private readonly refund: (job: Job) => void,
	) {}

	/** A new live job joins the queue; a sandbox job is done at once. */
	add(job: Job): void {
		this.jobs.set(job.id, job);
		if (job.sandbox) return;
		this.waiting.push(job);
		this.advance();
	}

	/** Jobs of a key that are not finished (they count against its concurrency). */
	inFlight(key: string): Job[] {
		this.advance();
		return [...this.jobs.values()].filter((job) => job.key === key && !isTerminalStatus(job.status));
	}

	/** Moves every job forward to model-time `now`, in event order. */
	advance(now = this.clock.now()): void {
		for (;;) {
			let nextEnd: Job | undefined;
			for (const job of this.running) if (!nextEnd || job.endAt! < nextEnd.endAt!) nextEnd = job;
			const head = this.waiting[0];
			const canStart = head && this.running.size < this.workers;
			const startAt = canStart ? Math.max(head.readyAt, this.cursor) : Number.POSITIVE_INFINITY;
			const endAt = nextEnd ? nextEnd.endAt! : Number.POSITIVE_INFINITY;
			if (canStart && startAt <= now && startAt <= endAt) {
				this.waiting.shift();
				head.startedAt = startAt;
				head.status = 'IN_PROGRESS';
				const runShare = head.outcome === 'COMPLETED' ? 1 : 0.5;
				head.endAt = startAt + head.runMs * runShare;
				this.running.add(head);
				this.cursor = Math.max(this.cursor, startAt);
				continue;
			}
			if (nextEnd && endAt <= now) {
				this.running.delete(nextEnd);
				this.cursor = Math.max(this.cursor, endAt);
				this.finish(nextEnd, endAt);
				continue;
			}
			break;
		}
		this.cursor = Math.max(this.cursor, Math.min(now, this.waiting[0]?.readyAt ?? now));
	}

	/** Finishes a job at once with the given outcome (as the web app can cancel). */
	force(id: string, outcome: Outcome): void {
		this.advance();
		const job = this.jobs.get(id);
		if (!job || isTerminalStatus(job.status)) return;
		job.outcome = outcome;
		if (!job.startedAt) {
			this.waiting = this.waiting.filter((queued) => queued !== job);
			job.startedAt = this.clock.now();
		}
		this.running.delete(job);
		this.finish(job, this.clock.now());
	}

	private finish(job: Job, at: number): void {
		job.status = job.outcome;
		job.endAt = at;
		if (job.outcome !== 'COMPLETED' && job.charged) {
			this.refund(job);
			job.charged = false;
		}
	}

	/** Jobs ahead of this one that will still be waiting for a worker (with workers to spare: none). */
	queuePosition(job: Job): number {
		const free = Math.max(0, this.workers - this.running.size);
		return Math.max(0, this.waiting.indexOf(job) - free);
	}

	private progress(job: Job, now: number): number | null {
		if (!job.reportProgress || job.status !== 'IN_PROGRESS' || job.startedAt === undefined) return null;
		return Math.min(99, Math.floor((100 * (now - job.startedAt)) / job.runMs));
	}

	/** `GET /v1/requests/{id}/status`. */
	statusBody(job: Job): Record<string, unknown> {
		return {
			request_id: job.id,
			status: job.status,
			queue_position: job.status === 'IN_QUEUE' ? this.queuePosition(job) : null,
			progress: this.progress(job, this.clock.now()),
			logs: [],
		};
	}

	/** `GET /v1/requests/{id}`: 202 with the lifecycle while running, 200 with the outcome once terminal. */
	resultAnswer(job: Job, output: (job: Job) => Record<string, unknown>): Answer {
		if (!isTerminalStatus(job.status)) return { status: 202, body: this.statusBody(job) };
		const body: Record<string, unknown> = {
			request_id: job.id,
			status: job.status,
			model: job.model.slug,
			cost: job.cost,
			created_at: new Date(job.createdAt).toISOString(),
			completed_at: new Date(job.endAt!).toISOString(),
		};
		if (job.status === 'COMPLETED') body.output = output(job);
		if (job.status !== 'COMPLETED') body.error = errorOf(job);
		return { status: 200, body };
	}
}

/** What a failed or canceled job reports. */
export function errorOf(job: Job): { code: string; message: string } {
	return job.status === 'CANCELED'
		? { code: 'CANCELED', message: 'The generation was canceled' }
		: { code: 'GENERATION_FAILED', message: 'The model could not generate this request' };
}

/** 404 for a request of another key, as for one that does not exist. */
export function notFound(id: string): Answer {
	return errorAnswer(404, 'not_found', `Request ${id} not found`);
}
