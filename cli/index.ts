import { main } from "./main.ts";

const code = await main(process.argv.slice(2));
// `start` keeps serving; every other command ends here.
if (code !== 0 || process.argv[2] !== "start") process.exitCode = code;
