'use strict';
// ioredis (the npm package pinned in package.json) against a real server: every Redis type,
// pipelines, MULTI/EXEC with WATCH, pub/sub, Lua through defineCommand, the SCAN streams and
// auto-reconnect across a SIGTERM restart and a kill -9. The expectations are Redis's own: run
// this file with BASALT_E2E_TARGET=redis to check them against redis-server (see lib/server.js).
//
//   BASALT_SERVER=path/to/basalt-server NODE_PATH=dir/with/node_modules node --test ioredis.test.js

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const Redis = require('ioredis');
const { Server, sleep, waitFor } = require('./lib/server');

function connect(server, extra = {}) {
  return new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: false, ...extra });
}

// Resolves once `count` clients are blocked in the server (INFO clients: blocked_clients).
async function waitBlocked(r, count) {
  await waitFor(async () => {
    const info = await r.info('clients');
    return Number(/blocked_clients:(\d+)/.exec(info)[1]) >= count;
  }, `${count} blocked client(s)`);
}

function sorted(a) {
  return [...a].sort();
}

describe('ioredis', { timeout: 120000 }, () => {
  const server = new Server({ name: 'ioredis' });
  let r;
  before(async () => {
    await server.start();
    r = connect(server);
  });
  after(async () => {
    r?.disconnect();
    await server.destroy();
  });
  beforeEach(async () => {
    assert.equal(await r.flushall(), 'OK');
  });

  it('strings: SET options, counters, MGET/MSET, ranges, TTLs, binary values', async () => {
    assert.equal(await r.set('s', 'v1'), 'OK');
    assert.equal(await r.set('s', 'v2', 'NX'), null);
    assert.equal(await r.set('s', 'v2', 'XX', 'GET'), 'v1');
    assert.equal(await r.set('missing', 'x', 'XX'), null);
    assert.equal(await r.set('fresh', 'x', 'GET'), null);
    assert.equal(await r.set('e', 'x', 'EX', 100, 'NX'), 'OK');
    const ttl = await r.ttl('e');
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await r.set('e', 'y', 'PX', 5000, 'GET'), 'x');
    const pttl = await r.pttl('e');
    assert.ok(pttl > 0 && pttl <= 5000, `pttl ${pttl}`);
    assert.equal(await r.set('e', 'z', 'KEEPTTL'), 'OK');
    assert.ok((await r.pttl('e')) > 0);
    assert.equal(await r.set('e', 'w'), 'OK');
    assert.equal(await r.ttl('e'), -1);
    assert.equal(await r.ttl('nokey'), -2);
    await assert.rejects(r.set('s', 'x', 'NX', 'XX'), /ERR syntax error/);
    await assert.rejects(r.set('s', 'x', 'EX', 0), /ERR invalid expire time in 'set' command/);
    await r.rpush('list', 'a');
    await assert.rejects(r.set('list', 'x', 'GET'), /^ReplyError: WRONGTYPE/);
    assert.equal(await r.lrange('list', 0, -1).then((l) => l.length), 1);

    assert.equal(await r.incr('n'), 1);
    assert.equal(await r.incrby('n', 41), 42);
    assert.equal(await r.decrby('n', 2), 40);
    assert.equal(await r.decr('n'), 39);
    assert.equal(await r.incrbyfloat('n', '0.5'), '39.5');
    assert.equal(await r.incrbyfloat('f', '3.0e3'), '3000');
    await assert.rejects(r.incr('n'), /ERR value is not an integer or out of range/);
    await assert.rejects(r.incrbyfloat('s', 1), /ERR value is not a valid float/);
    assert.equal(await r.set('big', '9223372036854775807'), 'OK');
    await assert.rejects(r.incr('big'), /ERR increment or decrement would overflow/);

    assert.equal(await r.mset({ a: '1', b: '2', c: '3' }), 'OK');
    assert.deepEqual(await r.mget('a', 'nope', 'c', 'list'), ['1', null, '3', null]);
    assert.equal(await r.msetnx('c', 'x', 'd', 'y'), 0);
    assert.equal(await r.exists('d'), 0);
    assert.equal(await r.msetnx('d', 'x', 'dd', 'y'), 1);
    assert.equal(await r.exists('a', 'b', 'a', 'nope'), 3);

    assert.equal(await r.append('app', 'Hello'), 5);
    assert.equal(await r.append('app', ' World'), 11);
    assert.equal(await r.strlen('app'), 11);
    assert.equal(await r.getrange('app', -5, -1), 'World');
    assert.equal(await r.getrange('app', 20, 30), '');
    assert.equal(await r.setrange('app', 6, 'Basalt'), 12);
    assert.equal(await r.get('app'), 'Hello Basalt');
    assert.equal(await r.setrange('pad', 3, 'x'), 4);
    assert.equal(await r.get('pad'), '\0\0\0x');

    assert.equal(await r.getdel('a'), '1');
    assert.equal(await r.getdel('a'), null);
    assert.equal(await r.getex('b', 'EX', 50), '2');
    assert.ok((await r.ttl('b')) > 40);
    assert.equal(await r.getex('b', 'PERSIST'), '2');
    assert.equal(await r.ttl('b'), -1);
    assert.equal(await r.setnx('b', 'zz'), 0);
    assert.equal(await r.setex('sx', 30, 'v'), 'OK');
    assert.equal(await r.psetex('px', 30000, 'v'), 'OK');
    assert.ok((await r.pttl('px')) > 20000);
    assert.equal(await r.expire('b', 100), 1);
    assert.equal(await r.persist('b'), 1);
    assert.equal(await r.expire('nope', 100), 0);
    assert.equal(await r.type('b'), 'string');
    assert.equal(await r.type('list'), 'list');
    assert.equal(await r.type('nope'), 'none');
    assert.equal(await r.del('b', 'c', 'nope'), 2);
    assert.equal(await r.unlink('d', 'dd'), 2);

    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.equal(await r.set('bin', bytes), 'OK');
    assert.deepEqual(await r.getBuffer('bin'), bytes);
    const large = 'x'.repeat(1 << 20) + 'end';
    assert.equal(await r.set('large', large), 'OK');
    assert.equal(await r.get('large'), large);
    assert.equal(await r.strlen('large'), large.length);
    assert.equal(await r.set('uni', 'żółw 🐢'), 'OK');
    assert.equal(await r.get('uni'), 'żółw 🐢');
    assert.equal(await r.strlen('uni'), Buffer.byteLength('żółw 🐢'));
  });

  it('hashes: HSET object form, HGETALL parsing, counters, HRANDFIELD', async () => {
    assert.equal(await r.hset('h', { a: '1', b: '2' }), 2);
    assert.equal(await r.hset('h', 'b', '20', 'c', '3'), 1);
    assert.deepEqual(await r.hgetall('h'), { a: '1', b: '20', c: '3' });
    assert.deepEqual(await r.hgetall('nohash'), {});
    assert.equal(await r.hget('h', 'a'), '1');
    assert.equal(await r.hget('h', 'zz'), null);
    assert.deepEqual(await r.hmget('h', 'a', 'zz', 'c'), ['1', null, '3']);
    assert.equal(await r.hincrby('h', 'a', 10), 11);
    assert.equal(await r.hincrbyfloat('h', 'f', '1.25'), '1.25');
    assert.equal(await r.hincrbyfloat('h', 'f', '-0.25'), '1');
    assert.equal(await r.hset('h', 'g', '1.5'), 1);
    await assert.rejects(r.hincrby('h', 'g', 1), /ERR hash value is not an integer/);
    assert.equal(await r.hdel('h', 'g'), 1);
    assert.equal(await r.hsetnx('h', 'a', 'no'), 0);
    assert.equal(await r.hsetnx('h', 'd', '4'), 1);
    assert.equal(await r.hexists('h', 'd'), 1);
    assert.equal(await r.hexists('h', 'zz'), 0);
    assert.equal(await r.hlen('h'), 5);
    assert.deepEqual(sorted(await r.hkeys('h')), ['a', 'b', 'c', 'd', 'f']);
    assert.deepEqual(sorted(await r.hvals('h')), ['1', '11', '20', '3', '4']);
    assert.equal(await r.hstrlen('h', 'b'), 2);
    assert.equal(await r.hdel('h', 'a', 'b', 'zz'), 2);
    assert.deepEqual(await r.hgetall('h'), { c: '3', d: '4', f: '1' });
    const picks = await r.hrandfield('h', -10);
    assert.equal(picks.length, 10);
    for (const p of picks) assert.ok(['c', 'd', 'f'].includes(p));
    const withValues = await r.hrandfield('h', 3, 'WITHVALUES');
    assert.equal(withValues.length, 6);
    assert.equal(await r.hrandfield('nohash'), null);
    await r.set('str', 'x');
    await assert.rejects(r.hset('str', 'a', '1'), /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value/);
    await assert.rejects(r.hset('h', 'odd'), /ERR wrong number of arguments for 'hset' command/);
    assert.equal(await r.hdel('h', 'c', 'd', 'f'), 3);
    assert.equal(await r.exists('h'), 0);
  });

  it('lists: pushes, ranges, LPOS, LINSERT, LMOVE, pops with counts', async () => {
    assert.equal(await r.rpush('l', 'a', 'b', 'c'), 3);
    assert.equal(await r.lpush('l', 'z', 'y'), 5);
    assert.deepEqual(await r.lrange('l', 0, -1), ['y', 'z', 'a', 'b', 'c']);
    assert.deepEqual(await r.lrange('l', -2, 100), ['b', 'c']);
    assert.equal(await r.lindex('l', -1), 'c');
    assert.equal(await r.lindex('l', 99), null);
    assert.equal(await r.llen('l'), 5);
    assert.equal(await r.lpushx('nolist', 'a'), 0);
    assert.equal(await r.rpush('l', 'a', 'a'), 7);
    assert.equal(await r.lpos('l', 'a'), 2);
    assert.equal(await r.lpos('l', 'a', 'RANK', 2), 5);
    assert.deepEqual(await r.lpos('l', 'a', 'COUNT', 0), [2, 5, 6]);
    assert.deepEqual(await r.lpos('l', 'a', 'RANK', -1, 'COUNT', 2), [6, 5]);
    assert.equal(await r.lpos('l', 'nope'), null);
    assert.equal(await r.linsert('l', 'BEFORE', 'b', 'B'), 8);
    assert.equal(await r.linsert('l', 'AFTER', 'nope', 'x'), -1);
    assert.equal(await r.lset('l', 0, 'Y'), 'OK');
    await assert.rejects(r.lset('l', 100, 'x'), /ERR index out of range/);
    assert.equal(await r.lrem('l', -1, 'a'), 1);
    assert.deepEqual(await r.lrange('l', 0, -1), ['Y', 'z', 'a', 'B', 'b', 'c', 'a']);
    assert.equal(await r.ltrim('l', 1, -2), 'OK');
    assert.deepEqual(await r.lrange('l', 0, -1), ['z', 'a', 'B', 'b', 'c']);
    assert.equal(await r.lmove('l', 'l2', 'LEFT', 'RIGHT'), 'z');
    assert.equal(await r.rpoplpush('l', 'l2'), 'c');
    assert.deepEqual(await r.lrange('l2', 0, -1), ['c', 'z']);
    assert.deepEqual(await r.lpop('l', 2), ['a', 'B']);
    assert.deepEqual(await r.rpop('l', 5), ['b']);
    assert.equal(await r.exists('l'), 0);
    assert.equal(await r.lpop('l'), null);
    assert.equal(await r.lpop('l', 2), null);
    assert.deepEqual(await r.lmpop(2, 'none', 'l2', 'RIGHT', 'COUNT', 5), ['l2', ['z', 'c']]);
  });

  it('lists: BLPOP/BLMOVE served by a push from another client, timeouts give null', async () => {
    const blocker = r.duplicate();
    try {
      const popped = blocker.blpop('q1', 'q2', 5);
      await waitBlocked(r, 1);
      assert.equal(await r.rpush('q2', 'x', 'y'), 2);
      assert.deepEqual(await popped, ['q2', 'x']);
      assert.deepEqual(await r.lrange('q2', 0, -1), ['y']);

      const moved = blocker.blmove('src', 'dst', 'RIGHT', 'LEFT', 5);
      await waitBlocked(r, 1);
      await r.lpush('src', 'm');
      assert.equal(await moved, 'm');
      assert.deepEqual(await r.lrange('dst', 0, -1), ['m']);

      assert.equal(await blocker.blpop('empty', 0.1), null);
      assert.equal(await blocker.brpop('empty', 0.1), null);
      // Two waiters on one key are served in the order they blocked.
      const second = r.duplicate();
      try {
        const first = blocker.brpop('fifo', 5);
        await waitBlocked(r, 1);
        const next = second.brpop('fifo', 5);
        await waitBlocked(r, 2);
        await r.rpush('fifo', '1', '2');
        assert.deepEqual(await first, ['fifo', '2']);
        assert.deepEqual(await next, ['fifo', '1']);
      } finally {
        second.disconnect();
      }
    } finally {
      blocker.disconnect();
    }
  });

  it('sets: membership, algebra, stores, SPOP/SRANDMEMBER, SINTERCARD', async () => {
    assert.equal(await r.sadd('s1', 'a', 'b', 'c', 'a'), 3);
    assert.equal(await r.sadd('s2', 'b', 'c', 'd'), 3);
    assert.deepEqual(sorted(await r.smembers('s1')), ['a', 'b', 'c']);
    assert.equal(await r.sismember('s1', 'a'), 1);
    assert.equal(await r.sismember('s1', 'z'), 0);
    assert.deepEqual(await r.smismember('s1', 'a', 'z', 'c'), [1, 0, 1]);
    assert.equal(await r.scard('s1'), 3);
    assert.deepEqual(sorted(await r.sinter('s1', 's2')), ['b', 'c']);
    assert.deepEqual(sorted(await r.sunion('s1', 's2')), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await r.sdiff('s1', 's2'), ['a']);
    assert.deepEqual(await r.sinter('s1', 'nope'), []);
    assert.equal(await r.sinterstore('dst', 's1', 's2'), 2);
    assert.equal(await r.sunionstore('dst', 's1', 's2'), 4);
    assert.equal(await r.sdiffstore('dst', 's2', 's1'), 1);
    assert.deepEqual(await r.smembers('dst'), ['d']);
    assert.equal(await r.sintercard(2, 's1', 's2'), 2);
    assert.equal(await r.sintercard(2, 's1', 's2', 'LIMIT', 1), 1);
    assert.equal(await r.smove('s1', 's2', 'a'), 1);
    assert.equal(await r.smove('s1', 's2', 'zz'), 0);
    assert.equal(await r.srem('s2', 'a', 'zz'), 1);
    const rand = await r.srandmember('s2', -8);
    assert.equal(rand.length, 8);
    for (const m of rand) assert.ok(['b', 'c', 'd'].includes(m));
    assert.equal((await r.srandmember('s2', 10)).length, 3);
    const popped = await r.spop('s2', 2);
    assert.equal(popped.length, 2);
    assert.equal(await r.scard('s2'), 1);
    assert.deepEqual(await r.spop('nope', 2), []);
    assert.equal(await r.spop('nope'), null);
    assert.equal(await r.sadd('nums', 3, 1, 2), 3);
    assert.deepEqual(sorted(await r.smembers('nums')), ['1', '2', '3']);
  });

  it('sorted sets: ZADD options, ZRANGE BYSCORE/REV/LIMIT, WITHSCORES, stores, BZPOPMIN', async () => {
    assert.equal(await r.zadd('z', 1, 'a', 2, 'b', 3, 'c'), 3);
    assert.equal(await r.zadd('z', 'NX', 10, 'a', 4, 'd'), 1);
    assert.equal(await r.zscore('z', 'a'), '1');
    assert.equal(await r.zadd('z', 'XX', 'CH', 5, 'a', 9, 'nope'), 1);
    assert.equal(await r.zscore('z', 'nope'), null);
    assert.equal(await r.zadd('z', 'GT', 'CH', 4, 'a'), 0);
    assert.equal(await r.zadd('z', 'LT', 'CH', 4.5, 'a'), 1);
    assert.equal(await r.zadd('z', 'INCR', 1.5, 'a'), '6');
    assert.equal(await r.zadd('z', 'NX', 'INCR', 1, 'a'), null);
    await assert.rejects(r.zadd('z', 'GT', 'NX', 1, 'a'), /ERR GT, LT, and\/or NX options at the same time are not compatible/);
    await assert.rejects(r.zadd('z', 'nan', 'a'), /ERR value is not a valid float/);
    assert.deepEqual(await r.zrange('z', 0, -1, 'WITHSCORES'), ['b', '2', 'c', '3', 'd', '4', 'a', '6']);
    assert.deepEqual(await r.zrange('z', '(2', '+inf', 'BYSCORE', 'LIMIT', 1, 2), ['d', 'a']);
    assert.deepEqual(await r.zrange('z', '+inf', '-inf', 'BYSCORE', 'REV', 'WITHSCORES'),
      ['a', '6', 'd', '4', 'c', '3', 'b', '2']);
    assert.deepEqual(await r.zrange('z', 0, 1, 'REV'), ['a', 'd']);
    assert.deepEqual(await r.zrangebyscore('z', '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, 2), ['b', '2', 'c', '3']);
    assert.deepEqual(await r.zrevrangebyscore('z', 4, '(2'), ['d', 'c']);
    assert.deepEqual(await r.zrevrange('z', 0, 0, 'WITHSCORES'), ['a', '6']);
    assert.equal(await r.zrank('z', 'c'), 1);
    assert.equal(await r.zrevrank('z', 'c'), 2);
    assert.equal(await r.zrank('z', 'nope'), null);
    assert.equal(await r.zcount('z', '(2', 4), 2);
    assert.equal(await r.zincrby('z', -0.25, 'b'), '1.75');
    assert.deepEqual(await r.zmscore('z', 'b', 'nope', 'a'), ['1.75', null, '6']);
    assert.equal(await r.zcard('z'), 4);

    await r.zadd('odd', '-inf', 'lo', '+inf', 'hi', 0.1, 'tenth', 1e20, 'huge', -0, 'zero');
    assert.deepEqual(await r.zrange('odd', 0, -1, 'WITHSCORES'),
      ['lo', '-inf', 'zero', '0', 'tenth', '0.10000000000000001', 'huge', '1e+20', 'hi', 'inf']);

    await r.zadd('lex', 0, 'a', 0, 'b', 0, 'c', 0, 'd');
    assert.deepEqual(await r.zrangebylex('lex', '[b', '(d'), ['b', 'c']);
    assert.deepEqual(await r.zrange('lex', '+', '[b', 'BYLEX', 'REV', 'LIMIT', 0, 2), ['d', 'c']);
    assert.equal(await r.zlexcount('lex', '-', '+'), 4);
    assert.equal(await r.zremrangebylex('lex', '[a', '[b'), 2);

    await r.zadd('w1', 1, 'x', 2, 'y');
    await r.zadd('w2', 10, 'y', 20, 'z');
    assert.equal(await r.zunionstore('u', 2, 'w1', 'w2', 'WEIGHTS', 2, 1), 3);
    assert.deepEqual(await r.zrange('u', 0, -1, 'WITHSCORES'), ['x', '2', 'y', '14', 'z', '20']);
    assert.equal(await r.zinterstore('i', 2, 'w1', 'w2', 'AGGREGATE', 'MAX'), 1);
    assert.deepEqual(await r.zrange('i', 0, -1, 'WITHSCORES'), ['y', '10']);
    assert.deepEqual(await r.zinter(2, 'w1', 'w2', 'WITHSCORES'), ['y', '12']);
    assert.deepEqual(await r.zdiff(2, 'w1', 'w2'), ['x']);
    assert.equal(await r.zrangestore('rs', 'u', 1, '+inf', 'BYSCORE', 'LIMIT', 0, 2), 2);
    assert.deepEqual(await r.zrange('rs', 0, -1), ['x', 'y']);
    assert.deepEqual(await r.zpopmin('u', 2), ['x', '2', 'y', '14']);
    assert.deepEqual(await r.zpopmax('u'), ['z', '20']);
    assert.deepEqual(await r.zpopmin('u'), []);
    assert.equal(await r.zremrangebyscore('z', '-inf', 2), 1);
    assert.equal(await r.zremrangebyrank('z', 0, 0), 1);
    assert.equal(await r.zrem('z', 'a', 'nope'), 1);
    assert.deepEqual(await r.zrange('z', 0, -1), ['d']);

    const blocker = r.duplicate();
    try {
      const popped = blocker.bzpopmin('bz', 5);
      await waitBlocked(r, 1);
      await r.zadd('bz', 3, 'three', 1, 'one');
      assert.deepEqual(await popped, ['bz', 'one', '1']);
      assert.equal(await blocker.bzpopmax('bzempty', 0.1), null);
    } finally {
      blocker.disconnect();
    }
  });

  it('pipelines: 600 commands in one round trip, a failing command in the middle', async () => {
    const p = r.pipeline();
    for (let i = 0; i < 200; i++) {
      p.set(`p:${i}`, `v${i}`);
      p.incr('p:counter');
      p.rpush('p:list', i);
    }
    p.get('p:199');
    p.hset('p:list', 'f', 'v'); // WRONGTYPE in the middle: the rest still runs
    p.llen('p:list');
    p.zadd('p:z', 'x', 'm'); // not a float
    p.mget('p:0', 'p:1', 'p:nope');
    const res = await p.exec();
    assert.equal(res.length, 605);
    for (let i = 0; i < 200; i++) {
      assert.deepEqual(res[3 * i], [null, 'OK']);
      assert.deepEqual(res[3 * i + 1], [null, i + 1]);
      assert.deepEqual(res[3 * i + 2], [null, i + 1]);
    }
    assert.deepEqual(res[600], [null, 'v199']);
    assert.match(String(res[601][0]), /WRONGTYPE/);
    assert.deepEqual(res[602], [null, 200]);
    assert.match(String(res[603][0]), /ERR value is not a valid float/);
    assert.deepEqual(res[604], [null, ['v0', 'v1', null]]);

    const auto = connect(server, { enableAutoPipelining: true });
    try {
      const got = await Promise.all(Array.from({ length: 500 }, (_, i) => auto.get(`p:${i % 200}`)));
      got.forEach((v, i) => assert.equal(v, `v${i % 200}`));
      const incs = await Promise.all(Array.from({ length: 300 }, () => auto.incr('p:auto')));
      assert.deepEqual(incs, Array.from({ length: 300 }, (_, i) => i + 1));
    } finally {
      auto.disconnect();
    }
  });

  it('MULTI/EXEC: results, runtime errors, EXECABORT, DISCARD, WATCH abort returns null', async () => {
    assert.deepEqual(await r.multi().set('m', '1').incr('m').get('m').exec(),
      [[null, 'OK'], [null, 2], [null, '2']]);

    const mixed = await r.multi().set('k', 'v').lpush('k', 'x').incr('n').exec();
    assert.deepEqual(mixed[0], [null, 'OK']);
    assert.match(String(mixed[1][0]), /WRONGTYPE/);
    assert.deepEqual(mixed[2], [null, 1]);

    await assert.rejects(r.multi().set('a', '1').call('NOSUCHCOMMAND').exec(), (err) => {
      assert.match(err.message, /EXECABORT Transaction discarded because of previous errors/);
      assert.match(String(err.previousErrors[0]), /ERR unknown command 'NOSUCHCOMMAND'/);
      return true;
    });
    assert.equal(await r.exists('a'), 0);

    assert.equal(await r.multi({ pipeline: false }), 'OK');
    assert.equal(await r.set('d', '1'), 'QUEUED');
    assert.equal(await r.discard(), 'OK');
    assert.equal(await r.exists('d'), 0);

    const watcher = r.duplicate();
    try {
      await r.set('wk', '0');
      assert.equal(await watcher.watch('wk'), 'OK');
      await r.set('wk', 'changed by another client');
      assert.equal(await watcher.multi().set('wk', 'mine').incr('other').exec(), null);
      assert.equal(await r.get('wk'), 'changed by another client');
      assert.equal(await r.exists('other'), 0);

      assert.equal(await watcher.watch('wk'), 'OK');
      assert.deepEqual(await watcher.multi().set('wk', 'mine').exec(), [[null, 'OK']]);
      assert.equal(await r.get('wk'), 'mine');

      assert.equal(await watcher.watch('wk'), 'OK');
      assert.equal(await watcher.unwatch(), 'OK');
      await r.set('wk', 'again');
      assert.deepEqual(await watcher.multi().get('wk').exec(), [[null, 'again']]);

      // A watched key that expires or is deleted also aborts.
      await r.set('gone', '1');
      await watcher.watch('gone');
      await r.del('gone');
      assert.equal(await watcher.multi().set('gone', '2').exec(), null);
    } finally {
      watcher.disconnect();
    }
  });

  it('pub/sub: SUBSCRIBE/PSUBSCRIBE, messages in order, NUMSUB, UNSUBSCRIBE', async () => {
    const sub = connect(server);
    try {
      const msgs = [];
      const pmsgs = [];
      const bufs = [];
      sub.on('message', (ch, m) => msgs.push([ch, m]));
      sub.on('pmessage', (pat, ch, m) => pmsgs.push([pat, ch, m]));
      sub.on('messageBuffer', (ch, m) => bufs.push(m));
      assert.equal(await sub.subscribe('c1', 'c2'), 2);
      assert.equal(await sub.psubscribe('news.*', 'c?'), 4);
      for (let i = 0; i < 200; i++) {
        assert.equal(await r.publish(i % 2 ? 'c1' : 'c2', `m${i}`), 2);
      }
      assert.equal(await r.publish('news.tech', 'hello'), 1);
      assert.equal(await r.publish('nobody', 'x'), 0);
      const binary = Buffer.from([0, 255, 13, 10, 7]);
      assert.equal(await r.publish('c1', binary), 2);
      await waitFor(() => msgs.length === 201 && pmsgs.length === 202, 'all messages');
      for (let i = 0; i < 200; i++) assert.deepEqual(msgs[i], [i % 2 ? 'c1' : 'c2', `m${i}`]);
      assert.deepEqual(bufs[200], binary);
      assert.deepEqual(pmsgs[0], ['c?', 'c2', 'm0']);
      assert.deepEqual(pmsgs[200], ['news.*', 'news.tech', 'hello']);

      assert.deepEqual(await r.pubsub('NUMSUB', 'c1', 'c2', 'nobody'), ['c1', 1, 'c2', 1, 'nobody', 0]);
      assert.equal(await r.pubsub('NUMPAT'), 2);
      assert.deepEqual(sorted(await r.pubsub('CHANNELS', 'c*')), ['c1', 'c2']);

      assert.equal(await sub.unsubscribe('c1'), 3);
      assert.equal(await sub.punsubscribe('c?'), 2);
      assert.equal(await r.publish('c1', 'late'), 0);
      assert.equal(await r.publish('c2', 'still'), 1);
      await waitFor(() => msgs.length === 202, 'the c2 message');
      assert.deepEqual(msgs[201], ['c2', 'still']);
      assert.equal(await sub.unsubscribe('c2'), 1);
      assert.equal(await sub.punsubscribe('news.*'), 0);
      assert.equal(await sub.ping(), 'PONG');
    } finally {
      sub.disconnect();
    }
  });

  it('Lua: EVAL conversions, errors, defineCommand with EVALSHA and NOSCRIPT fallback', async () => {
    assert.deepEqual(await r.eval("return {KEYS[1], ARGV[1], 3, {4, 'x'}}", 1, 'k', 'a'), ['k', 'a', 3, [4, 'x']]);
    assert.equal(await r.eval("return redis.call('SET', KEYS[1], ARGV[1])", 1, 'lk', 'lv'), 'OK');
    assert.equal(await r.get('lk'), 'lv');
    assert.equal(await r.eval("return redis.status_reply('FINE')", 0), 'FINE');
    await assert.rejects(r.eval("return redis.error_reply('MY failure')", 0), /MY failure/);
    assert.equal(await r.eval('return 3.99', 0), 3);
    assert.equal(await r.eval('return false', 0), null);
    assert.equal(await r.eval('return true', 0), 1);
    assert.deepEqual(await r.eval('return {1, 2, nil, 4}', 0), [1, 2]);
    assert.equal(await r.eval("return redis.call('GET', KEYS[1])", 1, 'missing'), null);
    await r.rpush('alist', 'x');
    await assert.rejects(r.eval("return redis.call('GET', KEYS[1])", 1, 'alist'), /WRONGTYPE/);
    assert.equal(await r.eval("local ok = redis.pcall('GET', KEYS[1]); return ok['err']", 1, 'alist'),
      'WRONGTYPE Operation against a key holding the wrong kind of value');
    await assert.rejects(r.eval('return +', 0), /ERR Error compiling script/);

    const src = "local v = redis.call('INCRBY', KEYS[1], ARGV[1]); redis.call('INCRBY', KEYS[2], v); return v";
    r.defineCommand('incrChain', { numberOfKeys: 2, lua: src });
    assert.equal(await r.incrChain('c:a', 'c:b', 5), 5);
    assert.equal(await r.incrChain('c:a', 'c:b', 2), 7);
    assert.deepEqual(await r.mget('c:a', 'c:b'), ['7', '12']);
    const sha = await r.script('LOAD', src);
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.deepEqual(await r.script('EXISTS', sha, '0'.repeat(40)), [1, 0]);
    assert.equal(await r.evalsha(sha, 2, 'c:a', 'c:b', 1), 8);
    assert.equal(await r.script('FLUSH'), 'OK');
    assert.deepEqual(await r.script('EXISTS', sha), [0]);
    await assert.rejects(r.evalsha(sha, 2, 'c:a', 'c:b', 1), /NOSCRIPT No matching script/);
    // ioredis sends EVALSHA, gets NOSCRIPT and falls back to EVAL (which caches the script again).
    assert.equal(await r.incrChain('c:a', 'c:b', 1), 9);
    assert.deepEqual(await r.script('EXISTS', sha), [1]);
    const res = await r.pipeline().incrChain('c:a', 'c:b', 1).get('c:a').exec();
    assert.deepEqual(res, [[null, 10], [null, '10']]);
    const tx = await r.multi().incrChain('c:a', 'c:b', 10).get('c:b').exec();
    assert.deepEqual(tx, [[null, 20], [null, '59']]);
  });

  it('SCAN streams: scanStream, hscanStream, sscanStream, zscanStream return everything once', async () => {
    const n = 3000;
    for (let i = 0; i < n; i += 500) {
      const p = r.pipeline();
      for (let j = i; j < i + 500; j++) p.set(`sk:${j}`, j);
      await p.exec();
    }
    await r.hset('other:h', 'f', 'v');
    await r.sadd('other:s', 'm');

    async function collect(stream) {
      const out = [];
      for await (const batch of stream) out.push(...batch);
      return out;
    }
    function assertOnce(keys, expected) {
      assert.equal(keys.length, expected.length, 'no duplicates and nothing missing');
      assert.deepEqual(sorted(keys), sorted(expected));
    }
    const expectKeys = Array.from({ length: n }, (_, i) => `sk:${i}`);
    assertOnce(await collect(r.scanStream({ match: 'sk:*', count: 100 })), expectKeys);
    assertOnce(await collect(r.scanStream({ count: 250 })), [...expectKeys, 'other:h', 'other:s']);
    assertOnce(await collect(r.scanStream({ type: 'hash' })), ['other:h']);
    assertOnce(await collect(r.scanStream({ match: 'sk:1??', count: 1000 })),
      Array.from({ length: 100 }, (_, i) => `sk:${100 + i}`));

    const m = 2000;
    for (let i = 0; i < m; i += 500) {
      const fields = {};
      const members = [];
      const scored = [];
      for (let j = i; j < i + 500; j++) {
        fields[`f${j}`] = `v${j}`;
        members.push(`m${j}`);
        scored.push(j / 2, `z${j}`);
      }
      await r.pipeline().hset('big:h', fields).sadd('big:s', members).zadd('big:z', ...scored).exec();
    }
    const hflat = await collect(r.hscanStream('big:h', { count: 100 }));
    assert.equal(hflat.length, 2 * m);
    const fields = new Map();
    for (let i = 0; i < hflat.length; i += 2) {
      assert.ok(!fields.has(hflat[i]), `field ${hflat[i]} returned twice`);
      fields.set(hflat[i], hflat[i + 1]);
    }
    for (let j = 0; j < m; j++) assert.equal(fields.get(`f${j}`), `v${j}`);
    assertOnce(await collect(r.sscanStream('big:s', { count: 100 })), Array.from({ length: m }, (_, j) => `m${j}`));
    assertOnce(await collect(r.sscanStream('big:s', { match: 'm19*' })),
      ['m19', ...Array.from({ length: 10 }, (_, j) => `m19${j}`), ...Array.from({ length: 100 }, (_, j) => `m19${String(j).padStart(2, '0')}`)]);
    const zflat = await collect(r.zscanStream('big:z', { count: 100 }));
    assert.equal(zflat.length, 2 * m);
    const scores = new Map();
    for (let i = 0; i < zflat.length; i += 2) {
      assert.ok(!scores.has(zflat[i]), `member ${zflat[i]} returned twice`);
      scores.set(zflat[i], zflat[i + 1]);
    }
    for (let j = 0; j < m; j++) assert.equal(scores.get(`z${j}`), String(j / 2));
  });

  it('SCAN streams under concurrent writes: every key present throughout is returned', async () => {
    const n = 2000;
    const p = r.pipeline();
    for (let i = 0; i < n; i++) p.set(`stay:${i}`, i);
    for (let i = 0; i < 1000; i++) p.hset('grow:h', `f${i}`, i);
    await p.exec();
    const writer = connect(server, { enableAutoPipelining: true });
    try {
      let done = false;
      const churn = (async () => {
        for (let i = 0; !done; i++) {
          await Promise.all([writer.set(`tmp:${i}`, 1), writer.del(`tmp:${i - 20}`), writer.hset('grow:h', `g${i}`, i)]);
        }
      })();
      const scans = Array.from({ length: 8 }, async () => {
        const seen = new Set();
        for await (const batch of r.scanStream({ count: 50 })) batch.forEach((k) => seen.add(k));
        return seen;
      });
      const fields = new Set();
      const hflat = [];
      for await (const batch of r.hscanStream('grow:h', { count: 20 })) hflat.push(...batch);
      for (let i = 0; i < hflat.length; i += 2) fields.add(hflat[i]);
      const results = await Promise.all(scans);
      done = true;
      await churn;
      for (const seen of results) {
        for (let i = 0; i < n; i++) assert.ok(seen.has(`stay:${i}`), `stay:${i} missing`);
      }
      for (let i = 0; i < 1000; i++) assert.ok(fields.has(`f${i}`), `field f${i} missing`);
    } finally {
      writer.disconnect();
    }
  });
});

describe('ioredis auto-reconnect', { timeout: 120000 }, () => {
  const server = new Server({ name: 'ioredis-restart', persist: true });
  let r;
  let sub;
  let inDb2;
  before(async () => {
    await server.start();
    const opts = { retryStrategy: () => 50, maxRetriesPerRequest: null };
    r = connect(server, opts);
    sub = connect(server, opts);
    inDb2 = connect(server, { ...opts, db: 2, connectionName: 'app-in-db2' });
  });
  after(async () => {
    r?.disconnect();
    sub?.disconnect();
    inDb2?.disconnect();
    await server.destroy();
  });

  it('SIGTERM restart on the same port and dir: the same client keeps working, data kept', async () => {
    const p = r.pipeline();
    for (let i = 0; i < 200; i++) p.set(`rk:${i}`, `v${i}`);
    p.hset('rh', { a: '1', b: '2' }).rpush('rl', 'x', 'y').zadd('rz', 1.5, 'm').sadd('rs', 's');
    await p.exec();
    const got = [];
    sub.on('message', (ch, m) => got.push([ch, m]));
    assert.equal(await sub.subscribe('restart-channel'), 1);
    assert.equal(await inDb2.set('db2-key', 'two'), 'OK');

    const closed = new Promise((resolve) => r.once('close', resolve));
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, `exit on SIGTERM: ${JSON.stringify(stopped)}`);
    await closed;
    // Sent while the server is down: ioredis queues it and sends it after reconnecting.
    const queued = r.incr('while-down');
    await sleep(200);
    await server.start();
    assert.equal(await queued, 1);
    assert.equal(await r.get('rk:0'), 'v0');
    assert.deepEqual(await r.mget('rk:199', 'rk:100'), ['v199', 'v100']);
    assert.equal(await r.dbsize(), 205);
    assert.deepEqual(await r.hgetall('rh'), { a: '1', b: '2' });
    assert.deepEqual(await r.lrange('rl', 0, -1), ['x', 'y']);
    assert.deepEqual(await r.zrange('rz', 0, -1, 'WITHSCORES'), ['m', '1.5']);
    assert.deepEqual(await r.smembers('rs'), ['s']);
    // After reconnecting, ioredis selects its database and sets its name again.
    assert.equal(await inDb2.get('db2-key'), 'two');
    assert.equal(await inDb2.client('GETNAME'), 'app-in-db2');
    assert.equal(await r.exists('db2-key'), 0);

    // The subscriber re-subscribed by itself (autoResubscribe).
    await waitFor(async () => (await r.publish('restart-channel', 'probe')) === 1, 'the resubscription');
    assert.equal(await r.publish('restart-channel', 'after restart'), 1);
    await waitFor(() => got.some(([, m]) => m === 'after restart'), 'the message after restart');
  });

  it('kill -9 after acknowledged writes with appendfsync always: nothing lost', async () => {
    await r.flushall();
    const p = r.pipeline();
    for (let i = 0; i < 500; i++) p.set(`kk:${i}`, `v${i}`);
    await p.exec();
    for (let i = 0; i < 50; i++) await r.incr('kcount');
    await r.rpush('klist', 'a', 'b');
    await server.kill9();
    await server.start();
    assert.equal(await r.get('kcount'), '50');
    assert.equal(await r.dbsize(), 502);
    const vals = await r.mget(Array.from({ length: 500 }, (_, i) => `kk:${i}`));
    vals.forEach((v, i) => assert.equal(v, `v${i}`));
    assert.deepEqual(await r.lrange('klist', 0, -1), ['a', 'b']);
  });
});
