// Types for paths.mjs, so TypeScript test helpers can share its constants.
export const cacheRoot: string;
export const NODE24_VERSION: string;
export const node24Dir: string;
export const node24Bin: string;
export const CODE_SERVER_VERSION: string;
export const codeServerDir: string;
export const chromiumPath: string;
export const chromiumArgs: string[];
