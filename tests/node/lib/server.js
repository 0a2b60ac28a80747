'use strict';
// Starts and stops the server that the Node.js client tests drive: basalt-server (the default)
// or Debian's redis-server (BASALT_E2E_TARGET=redis), each on a free port with a fresh temporary
// directory, so that every expectation in these tests can be shown to be Redis's own.
//
// Environment (the same names as tests/e2e/conftest.py):
//   BASALT_E2E_TARGET        "basalt" (default) or "redis"
//   BASALT_SERVER            path to basalt-server (required for the basalt target)
//   BASALT_E2E_REDIS_SERVER  redis-server binary for the redis target (default /usr/bin/redis-server)
//   BASALT_E2E_HOT_TIER      basalt: hot-tier-max-memory for every server (e.g. "0" or "4kb"), to
//                            run the clients with the hot tier off, or evicting constantly
//
// Command lines:
//   basalt: BASALT_SERVER --port P --bind 127.0.0.1 --dir DIR [--appendfsync always]
//           [--hot-tier-max-memory BASALT_E2E_HOT_TIER]
//   redis:  redis-server  --port P --bind 127.0.0.1 --dir DIR --save '' --appendonly no
//           (persistent servers: --appendonly yes --appendfsync always, so that a restart or a
//           kill -9 keeps acknowledged writes there too)
//
// Every server started here is stopped by its PID: by the tests' after() hooks, and as a last
// resort by 'exit' and signal handlers that SIGKILL whatever is still running.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const TARGET = (process.env.BASALT_E2E_TARGET || 'basalt').trim().toLowerCase();
if (TARGET !== 'basalt' && TARGET !== 'redis') {
  throw new Error(`BASALT_E2E_TARGET must be 'basalt' or 'redis', not '${TARGET}'`);
}
const IS_REDIS = TARGET === 'redis';
const REDIS_SERVER = process.env.BASALT_E2E_REDIS_SERVER || '/usr/bin/redis-server';
const READY_DEADLINE_MS = 10000;
const STOP_DEADLINE_MS = 15000;

const running = new Set();
function killAll() {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
process.on('exit', killAll);
// The test runner (or ctest on a timeout) stops a test file with a signal, which skips 'exit'.
for (const [sig, num] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]]) {
  process.on(sig, () => {
    killAll();
    process.exit(128 + num);
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Polls cond() (sync or async) until it is truthy; throws with `what` after timeoutMs.
async function waitFor(cond, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function basaltBinary() {
  const p = process.env.BASALT_SERVER || '';
  if (!p) throw new Error('BASALT_SERVER is not set: point it at basalt-server (or set BASALT_E2E_TARGET=redis)');
  fs.accessSync(p, fs.constants.X_OK);
  return path.resolve(p);
}

// Sends one inline PING; resolves with the first reply line (e.g. "+PONG", "-LOADING ...").
function pingOnce(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (err, line) => {
      sock.destroy();
      if (err) reject(err);
      else resolve(line);
    };
    sock.setTimeout(1000, () => done(new Error('PING timed out')));
    sock.once('error', (e) => done(e));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(null, buf.slice(0, i));
    });
  });
}

class Server {
  // persist: keep acknowledged writes across a restart or kill -9 (see the header).
  constructor({ persist = false, name = 'srv' } = {}) {
    this.persist = persist;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `basalt-node-${name}-`));
    this.logPath = path.join(this.dir, 'server-output.log');
    this.port = 0;
    this.child = null;
    this.exited = null;
  }

  commandLine() {
    const base = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    if (IS_REDIS) {
      const aof = this.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
      return [REDIS_SERVER, [...base, '--save', '', ...aof]];
    }
    const tier = process.env.BASALT_E2E_HOT_TIER || '';
    return [basaltBinary(), [
      ...base,
      ...(this.persist ? ['--appendfsync', 'always'] : []),
      ...(tier ? ['--hot-tier-max-memory', tier] : []),
    ]];
  }

  isRunning() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  logTail(lines = 40) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '<no server output>';
    }
  }

  // Starts the server (on a new free port the first time, on the same port and dir afterwards)
  // and waits until it answers PING.
  async start() {
    if (this.isRunning()) throw new Error('server already running');
    if (!this.port) this.port = await freePort();
    const [bin, args] = this.commandLine();
    fs.appendFileSync(this.logPath, `\n=== start: ${bin} ${args.join(' ')}\n`);
    const log = fs.openSync(this.logPath, 'a');
    const child = spawn(bin, args, { cwd: this.dir, stdio: ['ignore', log, log], detached: true });
    fs.closeSync(log);
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal });
      });
      child.once('error', (e) => {
        running.delete(child);
        resolve({ code: null, signal: null, error: e });
      });
    });
    await this.waitReady();
    return this;
  }

  async waitReady() {
    const deadline = Date.now() + READY_DEADLINE_MS;
    let last = null;
    while (Date.now() < deadline) {
      if (!this.isRunning()) {
        const how = await this.exited;
        throw new Error(`server exited during startup (${JSON.stringify(how)}):\n${this.logTail()}`);
      }
      try {
        last = await pingOnce(this.port);
        if (last === '+PONG') return;
      } catch (e) {
        last = e.message;
      }
      await sleep(50);
    }
    await this.kill9();
    throw new Error(`server did not answer PING within ${READY_DEADLINE_MS} ms (last: ${last}):\n${this.logTail()}`);
  }

  // Graceful stop: SIGTERM, wait, SIGKILL as a fallback. Resolves with {code, signal}.
  async stop() {
    if (!this.isRunning()) return this.exited ? await this.exited : null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.isRunning() && this.child.kill('SIGKILL'), STOP_DEADLINE_MS);
    const how = await this.exited;
    clearTimeout(timer);
    return how;
  }

  // Graceful stop that must succeed (exit code 0), then start again on the same port and dir.
  async restart() {
    const how = await this.stop();
    if (how.code !== 0) throw new Error(`server exited with ${JSON.stringify(how)} on SIGTERM:\n${this.logTail()}`);
    return this.start();
  }

  async kill9() {
    if (!this.isRunning()) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  // Stops the server and removes its directory.
  async destroy() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = { IS_REDIS, TARGET, Server, sleep, waitFor };
