/**
 * The release path: the GitHub workflows are valid workflow files (action-validator, against
 * GitHub's workflow schema) and keep what matters (publish on a tag alone, through npm's
 * trusted publishing with provenance, the checks before the publish), and `npm run
 * release:check` passes for both packages as they stand and refuses a wrong tag.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { releaseProblems } from '../../scripts/release-check';

const root = join(__dirname, '..', '..');
const workflows = join(root, '.github', 'workflows');
const validator = join(root, 'node_modules', '.bin', 'action-validator');

interface Step {
	name?: string;
	run?: string;
	uses?: string;
	with?: Record<string, unknown>;
}
interface Workflow {
	on: Record<string, unknown>;
	permissions: Record<string, string>;
	jobs: Record<string, { steps: Step[]; container?: string }>;
}

const read = (file: string) => parse(readFileSync(join(workflows, file), 'utf8')) as Workflow;
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const indexOf = (workflow: Workflow, match: RegExp) => steps(workflow).findIndex((step) => match.test(step.run ?? ''));

it.each(['ci.yml', 'publish-n8n-nodes.yml', 'publish-mcp-bridge.yml'])('%s is a valid GitHub workflow', (file) => {
	const run = spawnSync(validator, [join(workflows, file)], { encoding: 'utf8' });
	expect(run.stdout + run.stderr).toBe('');
	expect(run.status).toBe(0);
});

it('the validator refuses a broken workflow (it can fail)', () => {
	const folder = mkdtempSync(join(tmpdir(), 'clipia-workflow-'));
	const broken = join(folder, 'broken.yml');
	writeFileSync(broken, readFileSync(join(workflows, 'ci.yml'), 'utf8').replace('runs-on:', 'run-on:'));
	expect(spawnSync(validator, [broken]).status).not.toBe(0);
	rmSync(folder, { recursive: true, force: true });
});

it('ci.yml runs the README test command on push and pull request', () => {
	const ci = read('ci.yml');
	expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
	expect(steps(ci).some((step) => step.run === 'bash .ci/run')).toBe(true);
	expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toMatch(/npm install[^\n]*\nnpm test\n/);
});

describe.each([
	['publish-n8n-nodes.yml', 'n8n-nodes-clipia', /npm publish --provenance --access public$/],
	['publish-mcp-bridge.yml', 'clipia-mcp-bridge', /npm publish --workspace bridge --provenance --access public$/m],
])('%s', (file, name, publish) => {
	const workflow = read(file);
	it(`publishes on a ${name}-v* tag and nothing else`, () => {
		expect(workflow.on).toEqual({ push: { tags: [`${name}-v*`] } });
	});
	it('through npm trusted publishing: id-token write, provenance, no npm token anywhere', () => {
		expect(workflow.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
		expect(indexOf(workflow, publish)).toBeGreaterThan(0);
		expect(readFileSync(join(workflows, file), 'utf8')).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|secrets\./);
	});
	it('lints and checks the release before it publishes', () => {
		const published = indexOf(workflow, publish);
		expect(indexOf(workflow, /^npm run lint$/)).toBeGreaterThan(-1);
		expect(indexOf(workflow, /^npm run lint$/)).toBeLessThan(published);
		expect(indexOf(workflow, new RegExp(`npm run release:check -- ${name} "\\$\\{GITHUB_REF_NAME\\}"`))).toBeLessThan(
			published,
		);
		expect(indexOf(workflow, new RegExp(`npm run release:check`))).toBeGreaterThan(-1);
		if (name === 'n8n-nodes-clipia') {
			const scan = indexOf(workflow, /node scripts\/n8n-checks\.mjs/);
			expect(scan).toBeGreaterThan(-1);
			expect(scan).toBeLessThan(published);
		} else {
			// Then the MCP Registry, signed in with the same GitHub OIDC identity.
			const login = indexOf(workflow, /mcp-publisher login github-oidc/);
			expect(login).toBeGreaterThan(published);
		}
	});
});

it('release:check: both packages are ready as they stand; a tag of another version is refused', () => {
	expect(releaseProblems('n8n-nodes-clipia')).toEqual([]);
	expect(releaseProblems('clipia-mcp-bridge', 'clipia-mcp-bridge-v0.1.0')).toEqual([]);
	expect(releaseProblems('n8n-nodes-clipia', 'n8n-nodes-clipia-v9.9.9')).toEqual([
		'The tag n8n-nodes-clipia-v9.9.9 does not release n8n-nodes-clipia 0.1.0: tag it n8n-nodes-clipia-v0.1.0.',
	]);
	const run = spawnSync('npm', ['run', '--silent', 'release:check', '--', 'clipia-mcp-bridge', 'v1'], {
		cwd: root,
		encoding: 'utf8',
	});
	expect(run.status).toBe(1);
	expect(run.stderr).toMatch(/tag it clipia-mcp-bridge-v0\.1\.0/);
	expect(
		execFileSync('npm', ['run', '--silent', 'release:check', '--', 'n8n-nodes-clipia'], {
			cwd: root,
			encoding: 'utf8',
		}),
	).toMatch(/ready to release/);
});
