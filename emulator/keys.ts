/** API keys: their modes, scopes, credits and limits, authentication, and the per-minute window. */

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ModelClock } from './clock';
import { errorAnswer, header, type Answer } from './http';

export type Scope = 'generate' | 'read';

/**
 * How a submit over the key's generations at once is refused; Clipia's documents leave it
 * open, and clients must not depend on either. Both answer 429 `rate_limit_exceeded`, count
 * queued generations against the limit, and leave `RateLimit-*` showing the minute's room.
 * - `projected`: the message names the limit, and `Retry-After` is the time until the soonest
 *   end of any of the key's generations, a queued one's projected end included.
 * - `running`: a bare "Rate limit exceeded", and `Retry-After` the time until the soonest
 *   *running* generation ends (1 s when none runs yet), as another implementation of the API does.
 */
export type RefusalPolicy = 'projected' | 'running';

export interface KeyConfig {
	key: string;
	/** Defaults from the prefix: clipia_test_ is sandbox, anything else live. */
	mode?: 'live' | 'test';
	scopes?: Scope[];
	credits?: number;
	requestsPerMinute?: number;
	concurrency?: number;
	revoked?: boolean;
	/** Credits exist but are frozen until the account has an active subscription (402 subscription_required). */
	frozen?: boolean;
	accountId?: string;
	/** How a submit over `concurrency` is refused (default: the emulator's). */
	refusals?: RefusalPolicy;
}

export interface KeyStats {
	requests: number;
	byRoute: Record<string, number>;
	/** Net credits taken (refunds subtracted). */
	charged: number;
	/** Jobs created (replays excluded). */
	jobs: number;
	/** 429s of both kinds: too many requests a minute, and too many generations at once. */
	rateLimited: number;
	/** Of those, submits refused for too many generations at once (these count against the minute). */
	tooManyAtOnce: number;
}

export interface KeyState extends Required<Omit<KeyConfig, 'accountId'>> {
	accountId: string;
	/** Model-time ms of this minute's requests. */
	window: number[];
	stats: KeyStats;
}

export const DEMO_KEYS = {
	live: 'clipia_live_emulator_demo_key',
	test: 'clipia_test_emulator_demo_key',
	readOnly: 'clipia_live_emulator_read_only',
	poor: 'clipia_live_emulator_no_credits',
	frozen: 'clipia_live_emulator_frozen_credits',
} as const;

export class Keys {
	private readonly states = new Map<string, KeyState>();

	constructor(
		private readonly clock: ModelClock,
		private readonly refusals: RefusalPolicy = 'projected',
	) {}

	add(config: KeyConfig): void {
		this.states.set(config.key, {
			key: config.key,
			mode: config.mode ?? (config.key.startsWith('clipia_test_') ? 'test' : 'live'),
			scopes: config.scopes ?? ['generate', 'read'],
			credits: config.credits ?? 1_000,
			requestsPerMinute: config.requestsPerMinute ?? 120,
			concurrency: config.concurrency ?? 10,
			revoked: config.revoked ?? false,
			frozen: config.frozen ?? false,
			refusals: config.refusals ?? this.refusals,
			accountId: config.accountId ?? `acct_${createHash('sha256').update(config.key).digest('hex').slice(0, 12)}`,
			window: [],
			stats: { requests: 0, byRoute: {}, charged: 0, jobs: 0, rateLimited: 0, tooManyAtOnce: 0 },
		});
	}

	all(): KeyState[] {
		return [...this.states.values()];
	}

	find(key: string): KeyState | undefined {
		return this.states.get(key);
	}

	get(key: string): KeyState {
		const state = this.states.get(key);
		if (!state) throw new Error(`unknown key ${key.slice(0, 16)}…`);
		return state;
	}

	/** `Authorization: Bearer|Key <key>` or `X-Api-Key: <key>`; a revoked key is no key. */
	authenticate(req: IncomingMessage): KeyState | undefined {
		const authorization = header(req, 'authorization');
		let token = header(req, 'x-api-key');
		const match = authorization?.match(/^(Bearer|Key)\s+(.+)$/i);
		if (match) token = match[2].trim();
		const key = token ? this.states.get(token) : undefined;
		return key && !key.revoked ? key : undefined;
	}

	/**
	 * Counts one request against the key's sliding minute. Returns the `RateLimit-*`
	 * headers to send, and a 429 when the minute is full.
	 */
	admit(key: KeyState, route: string): { headers: Record<string, string>; refused?: Answer } {
		const now = this.clock.now();
		key.window = key.window.filter((t) => t > now - 60_000);
		const resetSeconds = key.window.length ? Math.max(1, Math.ceil((key.window[0] + 60_000 - now) / 1000)) : 60;
		const limit = String(this.clock.advertisedLimit(key.requestsPerMinute));
		const reset = String(this.clock.advertisedSeconds(resetSeconds));
		if (key.window.length >= key.requestsPerMinute) {
			key.stats.rateLimited++;
			return {
				headers: {
					'RateLimit-Limit': limit,
					'RateLimit-Remaining': '0',
					'RateLimit-Reset': reset,
					'Retry-After': reset,
				},
				refused: errorAnswer(429, 'rate_limit_exceeded', 'Rate limit exceeded: too many requests per minute'),
			};
		}
		key.window.push(now);
		key.stats.requests++;
		key.stats.byRoute[route] = (key.stats.byRoute[route] ?? 0) + 1;
		return {
			headers: {
				'RateLimit-Limit': limit,
				'RateLimit-Remaining': String(key.requestsPerMinute - key.window.length),
				'RateLimit-Reset': reset,
			},
		};
	}
}
