/**
 * What a server running a gateway tells its plugins about itself: which config version serves,
 * how reloads went, and a way to ask for one. The admin API and metrics read it; a gateway used
 * as a plain library has none.
 */

/** The outcome of one reload. */
export interface ReloadResult {
  readonly ok: boolean;
  /** The config version serving after this reload (the previous one when it failed). */
  readonly version: number;
  /** When the reload finished, as an ISO 8601 string. */
  readonly at: string;
  readonly durationMs: number;
  /** Why the new config was refused; the previous one keeps serving. */
  readonly error?: string;
  /** With several workers: how many reloaded, out of how many. */
  readonly workers?: { readonly ok: number; readonly total: number };
}

export interface ConfigStatus {
  /** 1 for the config the server started with, one more for each successful reload. */
  readonly version: number;
  /** Where the config came from (a file path, or the embedded default). */
  readonly source: string;
  /** When the serving config was loaded, as an ISO 8601 string. */
  readonly loadedAt: string;
  /** Successful and failed reloads since start. */
  readonly reloads: number;
  readonly failedReloads: number;
  readonly lastReload: ReloadResult | null;
  /** Processes serving (1 without `--workers`). */
  readonly workers: number;
  /** With several workers: the one answering, from 1. */
  readonly worker?: number;
}

export interface ServerControl {
  status(): ConfigStatus;
  /** Load the config again and swap it in; with several workers, on every worker. Never rejects. */
  reload(): Promise<ReloadResult>;
}
