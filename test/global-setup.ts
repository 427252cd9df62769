// @ts-expect-error: a plain ESM build script without type declarations
import { buildDist } from "../scripts/build.mjs";

export default async function setup(): Promise<void> {
  await buildDist({ quiet: true });
}
