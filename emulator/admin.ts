/** The emulator's admin door (`/__emulator/…`), for other processes: `npm start`, the real-n8n suites. */

import type { ServerResponse } from 'node:http';
import type { FaultRule } from './faults';
import { send } from './http';
import type { KeyConfig, Keys } from './keys';

/** What the admin door reads and changes. */
export interface AdminView {
	keys: Keys;
	jobCount(): number;
	requestCount(): number;
	pendingFaults(): number;
	inject(rule: FaultRule): void;
	addKey(config: KeyConfig): void;
}

export function answerAdmin(
	emulator: AdminView,
	method: string,
	path: string,
	body: unknown,
	res: ServerResponse,
): void {
	const action = path.replace('/__emulator/', '');
	if (method === 'GET' && action === 'stats') {
		const keys = Object.fromEntries(
			emulator.keys.all().map((key) => [key.key.slice(0, 18) + '…', { ...key.stats, credits: key.credits }]),
		);
		return send(res, 200, { keys, jobs: emulator.jobCount(), requests: emulator.requestCount() });
	}
	if (method === 'GET' && action.startsWith('stats/')) {
		const key = emulator.keys.find(decodeURIComponent(action.slice(6)));
		if (!key) return send(res, 404, { error: 'unknown key' });
		return send(res, 200, { ...key.stats, credits: key.credits });
	}
	if (method === 'POST' && action === 'faults') {
		emulator.inject(body as FaultRule);
		return send(res, 200, { ok: true, pending: emulator.pendingFaults() });
	}
	if (method === 'POST' && action === 'keys') {
		emulator.addKey(body as KeyConfig);
		return send(res, 200, { ok: true });
	}
	send(res, 404, { error: 'unknown admin action' });
}
