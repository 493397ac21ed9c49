/**
 * The baseline of the throughput bench's submissions (issue 14 goal 2): an express hello-world
 * that parses a JSON POST (express.json()) and answers 201 with a small JSON body, in a process
 * of its own like the server it is compared with. Started by bench/support/hello-world.ts with
 * `node --import tsx`; says its port as the server does (a `server.listening` JSON line on
 * stdout) and ends on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';

const app = express();
app.post('/', express.json(), (_req, res) => {
  res.status(201).json({ id: 'HELL-OWOR-L', status: 'received' });
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ level: 'info', event: 'server.listening', port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
