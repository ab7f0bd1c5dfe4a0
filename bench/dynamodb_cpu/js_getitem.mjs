// The AWS SDK for JavaScript v3's side of bench/dynamodb_cpu/run.sh.
//
//   node js_getitem.mjs ENDPOINT TABLE CALLS WARMUP
//
// Calls are awaited one after the other over a keep-alive agent (one
// connection reused, like the other clients). process.cpuUsage() (user +
// system of the whole process) is read around the loop only; one JSON line
// is printed.
import { Agent } from "node:http";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import path from "node:path";

// Resolve the SDK from the project's node_modules, wherever this is run from.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(root, "package.json"));
const { DynamoDBClient, GetItemCommand } = require("@aws-sdk/client-dynamodb");
const { NodeHttpHandler } = require("@smithy/node-http-handler");

const [endpoint, table, callsText, warmupText] = process.argv.slice(2);
const calls = Number(callsText);
const warmup = Number(warmupText);
if (!endpoint || !table || !(calls > 0) || !(warmup >= 0)) {
  console.error("usage: node js_getitem.mjs ENDPOINT TABLE CALLS WARMUP");
  process.exit(2);
}

const client = new DynamoDBClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  requestHandler: new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }),
  }),
});

async function once() {
  const out = await client.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: "user#1" } } }),
  );
  if (!out.Item) {
    console.error("js_getitem: the item is missing");
    process.exit(1);
  }
}

for (let i = 0; i < warmup; i++) await once();
const wall0 = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < calls; i++) await once();
const cpu = process.cpuUsage(cpu0);
const wall = (performance.now() - wall0) / 1000;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify({
    client: "js-sdk-v3",
    calls,
    cpu_s: cpuSeconds,
    cpu_us_per_call: Math.round((cpuSeconds * 1e9) / calls) / 1000,
    wall_s: wall,
  }),
);
client.destroy();
