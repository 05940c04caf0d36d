/**
 * axios, loaded on the first request rather than at start: a client's `initialize` answer
 * (and so the bridge's cold start) does not wait for it.
 */

import type { AxiosStatic } from 'axios';

let loaded: AxiosStatic | undefined;

export function axios(): AxiosStatic {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	loaded ??= require('axios') as AxiosStatic;
	return loaded;
}
