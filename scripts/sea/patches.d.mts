/** Types of patches.mjs, for the tests (scripts are plain JavaScript, run by node without a build). */
export function withoutInkTopLevelAwait(source: string): string;
export function withModuleMeta(source: string, relative: string, helper?: string): string;
export function yogaWasmBase64(glueSource: string): string;
