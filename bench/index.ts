/** `npm run bench`: every benchmark, each comparing side by side in one run. */

import { benchWaitSchedule } from './wait-schedule';

const sections: Array<[string, () => Promise<boolean>]> = [['wait schedule', benchWaitSchedule]];

async function main(): Promise<void> {
	const only = process.argv[2];
	let ok = true;
	for (const [name, run] of sections) {
		if (only && !name.includes(only)) continue;
		ok = (await run()) && ok;
	}
	console.log(ok ? '\nAll targets met.' : '\nSome targets were MISSED.');
	process.exitCode = ok ? 0 : 1;
}

void main();
