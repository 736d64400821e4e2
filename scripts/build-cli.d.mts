/** Types of scripts/build-cli.mjs, for the test setup that imports it. */
export declare const CLI_ENTRY: string
export declare function cliIsStale(): boolean
export declare function buildCli(options?: { quiet?: boolean }): Promise<void>
