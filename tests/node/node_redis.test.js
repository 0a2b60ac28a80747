'use strict';
// node-redis (the npm package `redis`, pinned in package.json) against a real server: every
// Redis type, pipelines, MULTI/EXEC with WATCH, pub/sub, Lua scripts defined with
// defineScript, the SCAN iterators, RESP3 (HELLO 3 and its reply types) and auto-reconnect
// across a SIGTERM restart. The expectations are Redis's own: run this file with
// BASALT_E2E_TARGET=redis to check them against redis-server (see lib/server.js).
//
//   BASALT_SERVER=path/to/basalt-server NODE_PATH=dir/with/node_modules node --test node_redis.test.js

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { createClient, defineScript, RESP_TYPES, WatchError } = require('redis');
const { Server, sleep, waitFor } = require('./lib/server');

async function connect(server, extra = {}) {
  const client = createClient({ socket: { host: '127.0.0.1', port: server.port }, ...extra });
  client.on('error', () => {}); // Reconnects report errors here; commands still fail loudly.
  await client.connect();
  return client;
}

async function waitBlocked(r, count) {
  await waitFor(async () => {
    const info = await r.info('clients');
    return Number(/blocked_clients:(\d+)/.exec(info)[1]) >= count;
  }, `${count} blocked client(s)`);
}

function sorted(a) {
  return [...a].sort();
}

// Spreads the null-prototype objects node-redis builds into plain ones for deepStrictEqual.
function plain(o) {
  return { ...o };
}

const incrChain = defineScript({
  SCRIPT: "local v = redis.call('INCRBY', KEYS[1], ARGV[1]); redis.call('INCRBY', KEYS[2], v); return v",
  NUMBER_OF_KEYS: 2,
  parseCommand(parser, a, b, by) {
    parser.pushKey(a);
    parser.pushKey(b);
    parser.push(String(by));
  },
  transformReply(reply) {
    return reply;
  },
});

describe('node-redis', { timeout: 120000 }, () => {
  const server = new Server({ name: 'node-redis' });
  let r;
  before(async () => {
    await server.start();
    r = await connect(server, { scripts: { incrChain } });
  });
  after(async () => {
    r?.destroy();
    await server.destroy();
  });
  beforeEach(async () => {
    assert.equal(await r.flushAll(), 'OK');
  });

  it('strings: SET options, counters, MGET/MSET, TTLs, binary values', async () => {
    assert.equal(await r.set('s', 'v1'), 'OK');
    assert.equal(await r.set('s', 'v2', { condition: 'NX' }), null);
    assert.equal(await r.set('s', 'v2', { condition: 'XX', GET: true }), 'v1');
    assert.equal(await r.set('e', 'x', { expiration: { type: 'EX', value: 100 }, condition: 'NX' }), 'OK');
    const ttl = await r.ttl('e');
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await r.set('e', 'y', { EX: 50, GET: true }), 'x');
    assert.equal(await r.set('e', 'z', { expiration: 'KEEPTTL' }), 'OK');
    assert.ok((await r.pTTL('e')) > 0);
    await assert.rejects(r.set('s', 'x', { EX: -5 }), /ERR invalid expire time in 'set' command/);
    assert.equal(await r.incr('n'), 1);
    assert.equal(await r.incrBy('n', 9), 10);
    assert.equal(await r.decrBy('n', 3), 7);
    assert.equal(await r.incrByFloat('n', 0.5), '7.5');
    await assert.rejects(r.incr('n'), /ERR value is not an integer or out of range/);
    assert.equal(await r.mSet({ a: '1', b: '2' }), 'OK');
    assert.deepEqual(await r.mGet(['a', 'nope', 'b']), ['1', null, '2']);
    assert.equal(await r.mSetNX({ b: 'x', c: 'y' }), 0);
    assert.equal(await r.append('a', '23'), 3);
    assert.equal(await r.getRange('a', 1, -1), '23');
    assert.equal(await r.setRange('a', 1, 'XY'), 3);
    assert.equal(await r.get('a'), '1XY');
    assert.equal(await r.getDel('a'), '1XY');
    assert.equal(await r.getEx('b', { type: 'PX', value: 60000 }), '2');
    assert.ok((await r.pTTL('b')) > 50000);
    assert.equal(await r.exists(['a', 'b', 'nope']), 1);
    assert.equal(await r.type('b'), 'string');
    assert.equal(await r.del(['b', 'nope']), 1);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    assert.equal(await r.set('bin', bytes), 'OK');
    assert.deepEqual(await r.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get('bin'), bytes);
    assert.equal(await r.strLen('bin'), 256);
  });

  it('hashes: HSET object form, HGETALL, counters, HRANDFIELD WITHVALUES', async () => {
    assert.equal(await r.hSet('h', { a: '1', b: '2', c: '3' }), 3);
    assert.equal(await r.hSet('h', 'a', '10'), 0);
    assert.deepEqual(plain(await r.hGetAll('h')), { a: '10', b: '2', c: '3' });
    assert.deepEqual(plain(await r.hGetAll('nohash')), {});
    assert.deepEqual(await r.hmGet('h', ['a', 'zz']), ['10', null]);
    assert.equal(await r.hIncrBy('h', 'a', 5), 15);
    assert.equal(await r.hIncrByFloat('h', 'fl', 2.5), '2.5');
    assert.equal(await r.hSetNX('h', 'a', 'no'), 0);
    assert.equal(await r.hExists('h', 'b'), 1);
    assert.equal(await r.hLen('h'), 4);
    assert.deepEqual(sorted(await r.hKeys('h')), ['a', 'b', 'c', 'fl']);
    assert.equal(await r.hDel('h', ['b', 'c', 'zz']), 2);
    const pairs = await r.hRandFieldCountWithValues('h', 2);
    assert.deepEqual(pairs.map((p) => `${p.field}=${p.value}`).sort(), ['a=15', 'fl=2.5']);
    await r.set('str', 'x');
    await assert.rejects(r.hGet('str', 'f'), /WRONGTYPE Operation against a key holding the wrong kind of value/);
  });

  it('lists: pushes, ranges, LPOS, LMPOP, BLPOP served by another client', async () => {
    assert.equal(await r.rPush('l', ['a', 'b', 'c', 'a']), 4);
    assert.equal(await r.lPush('l', 'z'), 5);
    assert.deepEqual(await r.lRange('l', 0, -1), ['z', 'a', 'b', 'c', 'a']);
    assert.equal(await r.lPos('l', 'a', { RANK: -1 }), 4);
    assert.deepEqual(await r.lPosCount('l', 'a', 0), [1, 4]);
    assert.equal(await r.lInsert('l', 'BEFORE', 'c', 'C'), 6);
    assert.equal(await r.lLen('l'), 6);
    assert.equal(await r.lMove('l', 'l2', 'RIGHT', 'LEFT'), 'a');
    assert.deepEqual(await r.lmPop(['none', 'l'], 'LEFT', { COUNT: 2 }), ['l', ['z', 'a']]);
    assert.equal(await r.lmPop(['none'], 'LEFT'), null);
    assert.deepEqual(await r.lPopCount('l', 10), ['b', 'C', 'c']);
    assert.equal(await r.lPop('l'), null);

    const blocker = r.duplicate();
    blocker.on('error', () => {});
    await blocker.connect();
    try {
      const popped = blocker.blPop(['q1', 'q2'], 5);
      await waitBlocked(r, 1);
      await r.rPush('q2', ['x', 'y']);
      assert.deepEqual(plain(await popped), { key: 'q2', element: 'x' });
      assert.equal(await blocker.blPop('empty', 0.1), null);
      const moved = blocker.blMove('src', 'dst', 'LEFT', 'RIGHT', 5);
      await waitBlocked(r, 1);
      await r.lPush('src', 'm');
      assert.equal(await moved, 'm');
    } finally {
      blocker.destroy();
    }
  });

  it('sets: membership, algebra, SINTERCARD, SPOP', async () => {
    assert.equal(await r.sAdd('s1', ['a', 'b', 'c']), 3);
    assert.equal(await r.sAdd('s2', ['b', 'c', 'd']), 3);
    assert.equal(await r.sIsMember('s1', 'a'), 1);
    assert.deepEqual(await r.smIsMember('s1', ['a', 'x']), [1, 0]);
    assert.deepEqual(sorted(await r.sInter(['s1', 's2'])), ['b', 'c']);
    assert.deepEqual(sorted(await r.sUnion(['s1', 's2'])), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await r.sDiff(['s1', 's2']), ['a']);
    assert.equal(await r.sInterCard(['s1', 's2'], { LIMIT: 1 }), 1);
    assert.equal(await r.sInterStore('dst', ['s1', 's2']), 2);
    assert.equal(await r.sMove('s1', 's2', 'a'), 1);
    assert.equal(await r.sCard('s2'), 4);
    assert.equal((await r.sPopCount('s2', 3)).length, 3);
    assert.equal(await r.sCard('s2'), 1);
    assert.equal((await r.sRandMemberCount('dst', -5)).length, 5);
  });

  it('sorted sets: ZADD options, ZRANGE BY SCORE/REV/LIMIT, scores as numbers', async () => {
    assert.equal(await r.zAdd('z', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }]), 3);
    assert.equal(await r.zAdd('z', [{ score: 10, value: 'a' }, { score: 4, value: 'd' }], { condition: 'NX' }), 1);
    assert.equal(await r.zAdd('z', { score: 5, value: 'a' }, { condition: 'XX', CH: true }), 1);
    assert.equal(await r.zAdd('z', { score: 4, value: 'a' }, { comparison: 'GT', CH: true }), 0);
    assert.equal(await r.zAdd('z', { score: 4.5, value: 'a' }, { comparison: 'LT', CH: true }), 1);
    assert.equal(await r.zAddIncr('z', { score: 1.5, value: 'a' }), 6);
    assert.equal(await r.zScore('z', 'a'), 6);
    assert.equal(await r.zScore('z', 'nope'), null);
    assert.deepEqual(await r.zRange('z', 0, -1), ['b', 'c', 'd', 'a']);
    assert.deepEqual(await r.zRange('z', '(2', '+inf', { BY: 'SCORE', LIMIT: { offset: 1, count: 2 } }), ['d', 'a']);
    assert.deepEqual(await r.zRange('z', '+inf', '-inf', { BY: 'SCORE', REV: true }), ['a', 'd', 'c', 'b']);
    assert.deepEqual((await r.zRangeWithScores('z', 0, 1, { REV: true })).map(plain),
      [{ value: 'a', score: 6 }, { value: 'd', score: 4 }]);
    assert.deepEqual((await r.zRangeByScoreWithScores('z', 2, 3)).map(plain),
      [{ value: 'b', score: 2 }, { value: 'c', score: 3 }]);
    assert.equal(await r.zRank('z', 'c'), 1);
    assert.equal(await r.zCount('z', '(2', 4), 2);
    assert.equal(await r.zIncrBy('z', -0.25, 'b'), 1.75);
    assert.deepEqual(await r.zmScore('z', ['b', 'nope']), [1.75, null]);
    await r.zAdd('inf', [{ score: -Infinity, value: 'lo' }, { score: Infinity, value: 'hi' }, { score: 0.1, value: 't' }]);
    assert.deepEqual((await r.zRangeWithScores('inf', 0, -1)).map(plain),
      [{ value: 'lo', score: -Infinity }, { value: 't', score: 0.1 }, { value: 'hi', score: Infinity }]);
    assert.deepEqual((await r.zPopMinCount('z', 2)).map(plain), [{ value: 'b', score: 1.75 }, { value: 'c', score: 3 }]);
    assert.deepEqual(plain(await r.zPopMax('z')), { value: 'a', score: 6 });
    await r.zAdd('w1', [{ score: 1, value: 'x' }, { score: 2, value: 'y' }]);
    await r.zAdd('w2', [{ score: 10, value: 'y' }]);
    assert.equal(await r.zUnionStore('u', [{ key: 'w1', weight: 2 }, { key: 'w2', weight: 1 }]), 2);
    assert.deepEqual((await r.zRangeWithScores('u', 0, -1)).map(plain), [{ value: 'x', score: 2 }, { value: 'y', score: 14 }]);
    assert.deepEqual((await r.zInterWithScores(['w1', 'w2'])).map(plain), [{ value: 'y', score: 12 }]);
  });

  it('pipelines and MULTI/EXEC: 300 queued commands, errors, WATCH abort', async () => {
    const batch = [];
    for (let i = 0; i < 300; i++) batch.push(r.set(`p:${i}`, String(i)));
    assert.ok((await Promise.all(batch)).every((v) => v === 'OK'));
    const multi = r.multi();
    for (let i = 0; i < 150; i++) multi.incr('p:count').get(`p:${i}`);
    const piped = await multi.execAsPipeline();
    assert.equal(piped.length, 300);
    for (let i = 0; i < 150; i++) {
      assert.equal(piped[2 * i], i + 1);
      assert.equal(piped[2 * i + 1], String(i));
    }

    assert.deepEqual(await r.multi().set('m', '1').incr('m').get('m').exec(), ['OK', 2, '2']);
    // A command failing inside EXEC: the others still ran; node-redis rejects with all replies.
    await assert.rejects(r.multi().set('k', 'v').lPush('k', 'x').incr('n').exec(), (err) => {
      assert.deepEqual(err.errorIndexes, [1]);
      assert.equal(err.replies[0], 'OK');
      assert.match(String(err.replies[1]), /WRONGTYPE Operation against a key holding the wrong kind of value/);
      assert.equal(err.replies[2], 1);
      return true;
    });
    assert.equal(await r.get('n'), '1');

    const watcher = r.duplicate();
    watcher.on('error', () => {});
    await watcher.connect();
    try {
      await r.set('wk', '0');
      assert.equal(await watcher.watch('wk'), 'OK');
      await r.set('wk', 'other');
      await assert.rejects(watcher.multi().set('wk', 'mine').exec(), WatchError);
      assert.equal(await r.get('wk'), 'other');
      assert.equal(await watcher.watch('wk'), 'OK');
      assert.deepEqual(await watcher.multi().set('wk', 'mine').get('wk').exec(), ['OK', 'mine']);
      // The raw EXEC reply of an aborted transaction is a null.
      assert.equal(await watcher.sendCommand(['WATCH', 'wk']), 'OK');
      await r.set('wk', 'again');
      assert.equal(await watcher.sendCommand(['MULTI']), 'OK');
      assert.equal(await watcher.sendCommand(['INCR', 'wk']), 'QUEUED');
      assert.equal(await watcher.sendCommand(['EXEC']), null);
    } finally {
      watcher.destroy();
    }
  });

  it('pub/sub: SUBSCRIBE/PSUBSCRIBE, ordered delivery, NUMSUB, unsubscribe', async () => {
    const sub = r.duplicate();
    sub.on('error', () => {});
    await sub.connect();
    try {
      const msgs = [];
      const pmsgs = [];
      await sub.subscribe(['c1', 'c2'], (m, ch) => msgs.push([ch, m]));
      await sub.pSubscribe('news.*', (m, ch) => pmsgs.push([ch, m]));
      for (let i = 0; i < 150; i++) assert.equal(await r.publish(i % 3 ? 'c1' : 'c2', `m${i}`), 1);
      assert.equal(await r.publish('news.x', 'n1'), 1);
      assert.equal(await r.publish('nobody', 'n1'), 0);
      await waitFor(() => msgs.length === 150 && pmsgs.length === 1, 'all messages');
      for (let i = 0; i < 150; i++) assert.deepEqual(msgs[i], [i % 3 ? 'c1' : 'c2', `m${i}`]);
      assert.deepEqual(pmsgs, [['news.x', 'n1']]);
      assert.deepEqual(plain(await r.pubSubNumSub(['c1', 'nobody'])), { c1: 1, nobody: 0 });
      assert.equal(await r.pubSubNumPat(), 1);
      assert.deepEqual(sorted(await r.pubSubChannels()), ['c1', 'c2']);
      await sub.unsubscribe('c1');
      assert.equal(await r.publish('c1', 'late'), 0);
      await sub.pUnsubscribe('news.*');
      assert.equal(await r.pubSubNumPat(), 0);
    } finally {
      sub.destroy();
    }
  });

  it('Lua: EVAL, scripts through EVALSHA with the NOSCRIPT fallback', async () => {
    assert.deepEqual(await r.eval("return {KEYS[1], ARGV[1], 7}", { keys: ['k'], arguments: ['a'] }), ['k', 'a', 7]);
    assert.equal(await r.eval('return true'), 1);
    assert.equal(await r.eval('return false'), null);
    await assert.rejects(r.eval("return redis.error_reply('BAD thing')"), /BAD thing/);
    assert.equal(await r.incrChain('a', 'b', 5), 5);
    assert.equal(await r.incrChain('a', 'b', 1), 6);
    assert.equal(await r.scriptFlush(), 'OK');
    assert.deepEqual(await r.scriptExists(incrChain.SHA1), [0]);
    assert.equal(await r.incrChain('a', 'b', 1), 7); // EVALSHA -> NOSCRIPT -> EVAL
    assert.deepEqual(await r.scriptExists(incrChain.SHA1), [1]);
    assert.equal(await r.evalSha(incrChain.SHA1, { keys: ['a', 'b'], arguments: ['3'] }), 10);
    assert.deepEqual(await r.mGet(['a', 'b']), ['10', '28']);
    assert.deepEqual(await r.multi().incrChain('a', 'b', 1).get('b').exec(), [11, '39']);
  });

  it('SCAN iterators: scanIterator, hScanIterator, sScanIterator, zScanIterator', async () => {
    const n = 2500;
    const batch = [];
    for (let i = 0; i < n; i++) batch.push(r.set(`sk:${i}`, 'v'));
    await Promise.all(batch);
    const fields = {};
    for (let i = 0; i < 1500; i++) fields[`f${i}`] = `v${i}`;
    await r.hSet('big:h', fields);
    await r.sAdd('big:s', Array.from({ length: 1500 }, (_, i) => `m${i}`));
    await r.zAdd('big:z', Array.from({ length: 1500 }, (_, i) => ({ score: i, value: `z${i}` })));

    const keys = [];
    for await (const chunk of r.scanIterator({ MATCH: 'sk:*', COUNT: 100 })) keys.push(...chunk);
    assert.equal(keys.length, n, 'every key exactly once');
    assert.equal(new Set(keys).size, n);
    const hashes = [];
    for await (const chunk of r.scanIterator({ TYPE: 'hash' })) hashes.push(...chunk);
    assert.deepEqual(hashes, ['big:h']);

    const seen = new Map();
    for await (const entries of r.hScanIterator('big:h', { COUNT: 100 })) {
      for (const { field, value } of entries) {
        assert.ok(!seen.has(field), `field ${field} twice`);
        seen.set(field, value);
      }
    }
    assert.equal(seen.size, 1500);
    assert.equal(seen.get('f777'), 'v777');
    const members = [];
    for await (const chunk of r.sScanIterator('big:s', { COUNT: 50 })) members.push(...chunk);
    assert.equal(members.length, 1500);
    assert.equal(new Set(members).size, 1500);
    const scored = [];
    for await (const chunk of r.zScanIterator('big:z', { COUNT: 200 })) scored.push(...chunk);
    assert.equal(scored.length, 1500);
    assert.equal(new Set(scored.map((m) => m.value)).size, 1500);
    for (const { value, score } of scored) assert.equal(`z${score}`, value);
  });
});

describe('node-redis RESP3', { timeout: 120000 }, () => {
  const server = new Server({ name: 'node-redis-resp3' });
  let r;
  before(async () => {
    await server.start();
    r = await connect(server, { RESP: 3, scripts: { incrChain } });
  });
  after(async () => {
    r?.destroy();
    await server.destroy();
  });

  it('HELLO 3 and the RESP3 types: maps, sets, doubles, booleans, nulls', async () => {
    const hello = await r.sendCommand(['HELLO', '3']);
    assert.equal(hello.proto, 3);
    assert.ok(['server', 'version', 'proto', 'id', 'mode', 'role', 'modules'].every((k) => k in hello), JSON.stringify(hello));
    await r.hSet('h', { a: '1', b: '2' });
    assert.deepEqual(plain(await r.hGetAll('h')), { a: '1', b: '2' });
    const asMap = await r.withTypeMapping({ [RESP_TYPES.MAP]: Map }).hGetAll('h');
    assert.ok(asMap instanceof Map);
    assert.deepEqual([...asMap.entries()].sort(), [['a', '1'], ['b', '2']]);
    await r.sAdd('s', ['x', 'y']);
    const asSet = await r.withTypeMapping({ [RESP_TYPES.SET]: Set }).sMembers('s');
    assert.ok(asSet instanceof Set);
    assert.deepEqual(sorted(asSet), ['x', 'y']);
    await r.zAdd('z', [{ score: 1.5, value: 'a' }, { score: -Infinity, value: 'lo' }]);
    assert.equal(await r.sendCommand(['ZSCORE', 'z', 'a']), 1.5);
    assert.equal(await r.sendCommand(['ZSCORE', 'z', 'lo']), -Infinity);
    assert.deepEqual(await r.sendCommand(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']), [['lo', -Infinity], ['a', 1.5]]);
    assert.deepEqual((await r.zRangeWithScores('z', 0, -1)).map(plain), [{ value: 'lo', score: -Infinity }, { value: 'a', score: 1.5 }]);
    assert.deepEqual(await r.sendCommand(['ZPOPMIN', 'z', '1']), [['lo', -Infinity]]);
    assert.deepEqual(await r.sendCommand(['HRANDFIELD', 'h', '-2', 'WITHVALUES']).then((p) => p.length), 2);
    // A script's booleans follow its own protocol (redis.setresp), not the client's.
    assert.equal(await r.eval('return true'), 1);
    assert.equal(await r.eval('return false'), null);
    assert.equal(await r.eval('redis.setresp(3); return true'), true);
    assert.equal(await r.eval('redis.setresp(3); return false'), false);
    assert.equal(await r.eval("redis.setresp(3); return redis.call('ZSCORE', KEYS[1], 'a')", { keys: ['z'] }), 1.5);
    assert.equal(await r.eval("return redis.call('ZSCORE', KEYS[1], 'a')", { keys: ['z'] }), '1.5');
    assert.equal(await r.get('missing'), null);
    assert.equal(await r.sendCommand(['ZSCORE', 'z', 'missing']), null);
    const cfg = await r.sendCommand(['CONFIG', 'GET', 'maxmemory']);
    assert.deepEqual(plain(cfg), { maxmemory: '0' });
    assert.equal(await r.incrChain('a', 'b', 2), 2);
    assert.deepEqual(await r.multi().incr('c').hGetAll('h').exec().then((res) => [res[0], plain(res[1])]), [1, { a: '1', b: '2' }]);
  });

  it('RESP3 pub/sub on a duplicate connection and a blocking pop with a double score', async () => {
    const sub = r.duplicate();
    sub.on('error', () => {});
    await sub.connect();
    try {
      const got = [];
      await sub.subscribe('rc', (m, ch) => got.push([ch, m]));
      for (let i = 0; i < 20; i++) assert.equal(await r.publish('rc', `m${i}`), 1);
      await waitFor(() => got.length === 20, 'RESP3 push messages');
      got.forEach((g, i) => assert.deepEqual(g, ['rc', `m${i}`]));
      const popped = sub.duplicate();
      popped.on('error', () => {});
      await popped.connect();
      try {
        const p = popped.bzPopMin('bz', 5);
        await waitBlocked(r, 1);
        await r.zAdd('bz', { score: 2.25, value: 'm' });
        assert.deepEqual(plain(await p), { key: 'bz', value: 'm', score: 2.25 });
      } finally {
        popped.destroy();
      }
    } finally {
      sub.destroy();
    }
  });
});

describe('node-redis auto-reconnect', { timeout: 120000 }, () => {
  const server = new Server({ name: 'node-redis-restart', persist: true });
  let r;
  let sub;
  let inDb2;
  before(async () => {
    await server.start();
    const socket = { host: '127.0.0.1', port: server.port, reconnectStrategy: () => 50 };
    r = await connect(server, { socket });
    sub = await connect(server, { socket, RESP: 3 });
    inDb2 = await connect(server, { socket, database: 2, name: 'app-in-db2' });
  });
  after(async () => {
    r?.destroy();
    sub?.destroy();
    inDb2?.destroy();
    await server.destroy();
  });

  it('SIGTERM restart on the same port and dir: the same client keeps working, data kept', async () => {
    await r.mSet(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`rk:${i}`, `v${i}`])));
    await r.hSet('rh', { a: '1' });
    await r.zAdd('rz', { score: 2.5, value: 'm' });
    const got = [];
    await sub.subscribe('restart-channel', (m) => got.push(m));
    assert.equal(await inDb2.set('db2-key', 'two'), 'OK');

    const reconnecting = new Promise((resolve) => r.once('reconnecting', resolve));
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, `exit on SIGTERM: ${JSON.stringify(stopped)}`);
    await reconnecting;
    const queued = r.incr('while-down'); // held in the offline queue until reconnected
    await sleep(200);
    await server.start();
    assert.equal(await queued, 1);
    assert.equal(await r.get('rk:0'), 'v0');
    assert.equal(await r.dbSize(), 103);
    assert.deepEqual(plain(await r.hGetAll('rh')), { a: '1' });
    assert.equal(await r.zScore('rz', 'm'), 2.5);
    // After reconnecting, node-redis selects its database and sets its name again.
    assert.equal(await inDb2.get('db2-key'), 'two');
    assert.equal(await inDb2.clientGetName(), 'app-in-db2');
    assert.equal(await r.exists('db2-key'), 0);
    await waitFor(async () => (await r.publish('restart-channel', 'probe')) === 1, 'the resubscription');
    assert.equal(await r.publish('restart-channel', 'after restart'), 1);
    await waitFor(() => got.includes('after restart'), 'the message after restart');
  });
});
