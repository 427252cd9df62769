import type { DashboardAssets } from "./assets.ts";

/** Bundle the dashboard app with esbuild (build time, or setup when run from source). */
export function buildDashboardAssets(): Promise<DashboardAssets>;
