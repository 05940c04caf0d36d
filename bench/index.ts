/** `npm run bench`: every benchmark, each comparing side by side in one run. */

import { benchBridge } from './bridge';
import { benchExecutions } from './executions';
import { benchMemory } from './memory';
import { benchN8nBatch } from './n8n-batch';
import { benchPacing } from './pacing';
import { benchWaitSchedule } from './wait-schedule';
import { benchWebhookWait } from './webhook-wait';

const sections: Array<[string, () => Promise<boolean>]> = [
	['wait schedule', benchWaitSchedule],
	['bridge', benchBridge],
	['memory', benchMemory],
	['n8n batch', benchN8nBatch],
	['pacing', benchPacing],
	['executions side by side', benchExecutions],
	['webhook wait', benchWebhookWait],
];

async function main(): Promise<void> {
	const only = process.argv[2];
	let ok = true;
	for (const [name, run] of sections) {
		if (only && !name.includes(only)) continue;
		ok = (await run()) && ok;
	}
	console.log(ok ? '\nAll targets met.' : '\nSome targets were MISSED.');
	// n8n-core's singletons keep timers alive: leave explicitly.
	process.exit(ok ? 0 : 1);
}

void main();
