/** The n8n editor in Chromium on n8n 2.8.4, the Node 20 line (`npm start -- --n8n 2.8.4`). */
import { NODE20_LINE } from '../../scripts/n8n-runtime';
import { editorSuite } from './editor';

editorSuite(NODE20_LINE);
