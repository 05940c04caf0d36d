/** Injected faults: rules matched by method, path and key, each used a number of times. */

import type { ServerResponse } from 'node:http';
import { errorBody, send } from './http';

export type FaultAction =
	| { type: 'status'; status: number; retryAfter?: string; code?: string; headers?: Record<string, string> }
	/** The request is handled (a submit is charged) but the connection drops before the answer. */
	| { type: 'drop' }
	/** The connection drops before anything is handled. */
	| { type: 'reset' }
	/** Answer after a pause (model-time ms). A submit stays "in progress" meanwhile. */
	| { type: 'delay'; ms: number }
	/** A 200 with a body that is not JSON. */
	| { type: 'malformed' };

export interface FaultRule {
	method?: string;
	/** Matches when the path contains this text (or matches this pattern). */
	path?: string | RegExp;
	key?: string;
	times: number;
	action: FaultAction;
}

export class Faults {
	readonly rules: FaultRule[] = [];

	/** Adds a rule; rules are consumed in order. */
	add(rule: FaultRule): void {
		this.rules.push(rule);
	}

	/** The action of the first rule matching this request, using it up once. */
	take(method: string, path: string, key: string): FaultAction | undefined {
		const index = this.rules.findIndex(
			(rule) =>
				rule.times > 0 &&
				(!rule.method || rule.method === method) &&
				(!rule.key || rule.key === key) &&
				(!rule.path || (typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path))),
		);
		if (index < 0) return undefined;
		const rule = this.rules[index];
		rule.times--;
		if (rule.times <= 0) this.rules.splice(index, 1);
		return rule.action;
	}
}

/** Answers as a `status` fault says: its status, a Clipia error body, and the headers it carries. */
export function answerWithStatus(fault: Extract<FaultAction, { type: 'status' }>, res: ServerResponse): void {
	if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
	for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
	const code =
		fault.code ??
		(fault.status === 429 ? 'rate_limit_exceeded' : fault.status === 503 ? 'service_unavailable' : 'internal_error');
	send(
		res,
		fault.status,
		errorBody(fault.status, code, fault.status === 429 ? 'Rate limit exceeded' : 'Temporary failure'),
	);
}
