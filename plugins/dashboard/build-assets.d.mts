import type { DashboardAssets } from "./assets.ts";

/** Bundle the dashboard app with esbuild (build time, or setup when run from source). */
export function buildDashboardAssets(): Promise<DashboardAssets>;

/** An esbuild plugin that inlines the bundled app in place of plugins/dashboard/assets.ts. */
export function dashboardAssetsPlugin(): { name: string; setup(build: unknown): void };
