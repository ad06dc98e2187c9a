/** What a bundle of the workspace at `root` (default: this checkout) depends on, as a short hash. */
export declare const sourceFingerprint: (root?: string) => string;
/** The entry of a bundle of the CLI's current sources, kept in `cache`; built when there is none. */
export declare const cliBundle: (cache?: string) => Promise<string>;
