/** What a person sees in the editor, node by node: a change to a parameter is a visible diff (see ../helpers/snapshots.ts). */

import path from 'node:path';
import { ClipiaApi } from '../../credentials/ClipiaApi.credentials';
import { expectFileSnapshot } from '../helpers/snapshots';
import { loadNode } from './harness';

const folder = path.join(__dirname, '__nodesnaps__');

it.each(['Clipia', 'ClipiaGenerateAudio', 'ClipiaGenerateImage', 'ClipiaGenerateVideo', 'ClipiaWaitGeneration'])(
	'%s: its description matches the checked-in snapshot',
	(name) => {
		const { description } = loadNode(name);
		expectFileSnapshot(folder, name, { ...description, icon: undefined });
	},
);

it('Clipia API credential: its fields match the checked-in snapshot', () => {
	const credential = new ClipiaApi();
	expectFileSnapshot(folder, 'ClipiaApi.credentials', {
		name: credential.name,
		displayName: credential.displayName,
		properties: credential.properties,
		test: credential.test,
	});
});

it("the credential test's base URL survives an empty or missing Base URL (Clipia's own is used) and a trailing slash", () => {
	const expression = String(new ClipiaApi().test.request.baseURL);
	const body = /^=\{\{(.*)\}\}$/.exec(expression)![1];
	// The expression is plain JavaScript over $credentials, as n8n evaluates it.
	const baseUrlFor = (credentials: Record<string, unknown>) =>
		new Function('$credentials', `return ${body}`)(credentials) as string;
	expect(baseUrlFor({ baseUrl: '' })).toBe('https://api.clipia.ai');
	expect(baseUrlFor({})).toBe('https://api.clipia.ai');
	expect(baseUrlFor({ baseUrl: ' http://127.0.0.1:4010/ ' })).toBe('http://127.0.0.1:4010');
});
