/**
 * The dashboard's page, script and stylesheet. `scripts/build.mjs` replaces this module in dist/
 * with one that returns the app bundled at build time, so an installed gateway serves it offline
 * and needs no bundler; run from source (tests, Deno from the repository), it is bundled here.
 */
export interface DashboardAsset {
  readonly type: string;
  readonly body: string;
}

export interface DashboardAssets {
  /** index.html, naming the hashed script and stylesheet under `{{base}}/assets/`. */
  readonly page: string;
  /** Hashed file name → asset. */
  readonly files: Readonly<Record<string, DashboardAsset>>;
}

let built: Promise<DashboardAssets> | undefined;

export function dashboardAssets(): Promise<DashboardAssets> {
  // One bundle per process: the app's sources do not change while it runs.
  built ??= import("./build-assets.mjs").then((m) => m.buildDashboardAssets());
  return built;
}
