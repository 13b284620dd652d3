// An MCP client on the official TypeScript SDK that drives `code mcp serve --stdio --tools files,command`:
// lists the tools, calls one, makes a call the server must refuse, a write the user confirms through elicitation,
// and a long command_run it cancels, then checks that the command's process tree is gone. Prints one JSON summary.
// Usage: client.mjs ROOT COMMAND [ARG...]   (COMMAND ARG... start the server)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [root, command, ...args] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const text = (result) => (result.content ?? []).map((c) => c.text ?? "").join("");

const summary = { asked: [] };
const client = new Client({ name: "sdk-client", version: "1.0.0" }, { capabilities: { elicitation: {} } });
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  summary.asked.push(request.params.message);
  return { action: "accept", content: {} };
});
await client.connect(new StdioClientTransport({ command, args, stderr: "inherit" }));

const tools = (await client.listTools()).tools;
summary.tools = tools.map((t) => t.name).sort();
summary.writeAnnotations = tools.find((t) => t.name === "files_write")?.annotations ?? null;

const read = await client.callTool({ name: "files_read", arguments: { path: "hello.txt" } });
summary.read = { isError: read.isError ?? false, text: text(read) };

const refused = await client.callTool({ name: "files_read", arguments: { path: "../outside/secret.txt" } });
summary.refused = { isError: refused.isError ?? false, text: text(refused) };

const write = await client.callTool({ name: "files_write", arguments: { path: "sdk.txt", content: "from the SDK" } });
summary.write = { isError: write.isError ?? false, text: text(write) };

const pidFile = join(root, "sdk-sleep.pid");
const abort = new AbortController();
const long = client
  .callTool(
    { name: "command_run", arguments: { command: "sh", args: ["-c", "sleep 300 & echo $! > sdk-sleep.pid; wait"], timeoutSeconds: 120 } },
    undefined,
    { signal: abort.signal },
  )
  .then(() => "finished", (e) => "rejected: " + e.message);
for (let i = 0; i < 500 && !(existsSync(pidFile) && readFileSync(pidFile, "utf8").trim()); i++) await sleep(20);
const pid = Number(readFileSync(pidFile, "utf8").trim());
summary.cancel = { pidAliveBefore: alive(pid) };
abort.abort("the test cancels it");
summary.cancel.outcome = await long;
let gone = false;
for (let i = 0; i < 250 && !gone; i++) {
  gone = !alive(pid);
  if (!gone) await sleep(20);
}
summary.cancel.pidGoneAfter = gone;
// the connection still serves after the cancellation
summary.afterCancel = text(await client.callTool({ name: "files_read", arguments: { path: "sdk.txt" } }));
await client.close();
process.stdout.write(JSON.stringify(summary) + "\n");
