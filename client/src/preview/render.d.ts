import type { CommitResult, PreviewResult } from '../../../server/src/exec/results';
/** HTML for the results view: theme colours only, no script, every value escaped. */
export declare function escapeHtml(text: string): string;
export declare function page(title: string, body: string): string;
export declare function renderPreview(result: PreviewResult, source: string): string;
export declare function renderCommit(result: CommitResult, source: string): string;
