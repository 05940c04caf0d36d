/** The n8n editor in Chromium on the newest n8n line, the one `npm start` serves. */
import { NEWEST_LINE } from '../../scripts/n8n-runtime';
import { editorSuite } from './editor';

editorSuite(NEWEST_LINE);
