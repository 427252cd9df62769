import { Socket } from "node:net";
// @ts-expect-error: a plain ESM build script without type declarations
import { buildDist } from "../scripts/build.mjs";

const SERVICES = [
  { name: "Redis", variable: "REDIS_URL", fallback: "redis://127.0.0.1:6379", port: 6379 },
  { name: "PostgreSQL", variable: "DATABASE_URL", fallback: "postgres://postgres@127.0.0.1:5432/test", port: 5432 },
];

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * The integration tests use a real Redis and PostgreSQL (see the README's "Tests"). Say so at
 * once when one is not there, rather than let dozens of tests fail one by one.
 */
async function checkServices(): Promise<void> {
  const missing: string[] = [];
  for (const service of SERVICES) {
    const url = new URL(process.env[service.variable] || service.fallback);
    if (!(await reachable(url.hostname, Number(url.port || service.port)))) missing.push(`${service.name} at ${url.hostname}:${url.port || service.port} (${service.variable})`);
  }
  if (missing.length > 0) {
    throw new Error(
      `The test suite needs ${missing.join(" and ")}, and cannot reach it. Start them (for example ` +
        "`docker run -d -p 6379:6379 redis:7` and `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:16`), " +
        "or point REDIS_URL and DATABASE_URL at yours. Without them, only what needs neither: SWITCHYARD_TEST_SERVICES=skip npx vitest run test/unit",
    );
  }
}

export default async function setup(): Promise<void> {
  // Set SWITCHYARD_TEST_SERVICES=skip to run files that need neither service without them.
  if (process.env.SWITCHYARD_TEST_SERVICES !== "skip") await checkServices();
  await buildDist({ quiet: true });
}
