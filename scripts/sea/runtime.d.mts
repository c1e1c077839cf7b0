/** Types of runtime.mjs, for the tests (scripts are plain JavaScript, run by node without a build). */
export const LIB_DIR_NAME: string;
export function libDir(): string;
export function __offcircModuleMeta(relative: string): {
  url: string;
  filename: string;
  dirname: string;
  resolve(specifier: string): string;
};
export function loadAddon(file: string): unknown;
export function nodeGypBuild(): unknown;
export function pkgPrebuildsBindings(basePath: string, options: { name?: string } | undefined): unknown;
