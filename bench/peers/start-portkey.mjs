// Starts the Portkey gateway's own server (start-server.js --headless) on --port and prints the
// "listening on" line the bench waits for once it answers.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const here = dirname(fileURLToPath(import.meta.url));
const child = spawn(process.execPath, [join(here, "node_modules/@portkey-ai/gateway/build/start-server.js"), `--port=${values.port}`, "--headless"], { stdio: ["ignore", "ignore", "inherit"] });
const url = `http://127.0.0.1:${values.port}`;
for (let i = 0; i < 200; i++) {
  try {
    if ((await fetch(url)).ok) break;
  } catch {
    // Not up yet.
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log(`listening on ${url}`);
const stop = () => {
  child.kill("SIGTERM");
  process.exit(0);
};
process.on("SIGTERM", stop);
child.once("exit", (code) => process.exit(code ?? 1));
