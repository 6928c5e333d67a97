#!/usr/bin/env node
/*
 * Throwaway compatibility check: kafkajs 2.2.4 against the broker started by
 * deploy/kafka/kafka.sh.
 *
 *   node smoke.js            full run (topics, idempotent producer, gzip, two consumer-group
 *                            variants, reconnect without redelivery, admin offset APIs);
 *                            writes .last-run.json for the restart check
 *   node smoke.js restart    after `kafka.sh stop && kafka.sh start`: data and committed
 *                            offsets survived, and the groups still get no redelivery
 *
 * Env: KAFKA_BROKERS (default 127.0.0.1:9092)
 * Exits non-zero on the first failed check.
 */
'use strict';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const fs = require('fs');
const path = require('path');
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const BROKERS = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const STATE_FILE = path.join(__dirname, '.last-run.json');
const N = 100;

// ---- logging: print WARN/ERROR from kafkajs, and record every (api, version) it sends
const apiVersionsUsed = new Map();
const kafkaLogs = [];
const logCreator =
  () =>
  ({ level, log }) => {
    const m = /^Request (\w+)\(key: (\d+), version: (\d+)\)/.exec(log.message || '');
    if (m) apiVersionsUsed.set(`${m[1]}(${m[2]})`, m[3]);
    if (level <= logLevel.WARN) {
      const line = `[kafkajs ${level === logLevel.ERROR ? 'ERROR' : 'WARN'}] ${log.message} ${log.error ? '- ' + log.error : ''}`;
      kafkaLogs.push(line);
      console.log(line);
    }
  };

const kafka = new Kafka({
  clientId: 'kafka-smoke',
  brokers: BROKERS,
  logLevel: logLevel.DEBUG,
  logCreator,
});

let failures = 0;
function check(cond, msg, extra) {
  if (cond) console.log(`  ok   ${msg}`);
  else {
    failures++;
    console.log(`  FAIL ${msg}${extra !== undefined ? ' ' + JSON.stringify(extra) : ''}`);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(pred, timeoutMs, what) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timeout after ${timeoutMs}ms waiting for ${what}`);
    await sleep(50);
  }
  return Date.now() - t0;
}
const sumOffsets = (parts) => parts.reduce((s, p) => s + Number(p.offset), 0);

// Run a consumer in `groupId` until `expected` messages arrived (or `quietMs` passes with none
// when expected === 0). Returns the messages. Variant 'manual' = autoCommit:false + explicit
// commits; variant 'auto' = autoCommit:true + commitOffsetsIfNecessary.
async function consumeGroup({ groupId, topic, expected, variant, quietMs = 4000, onJoined }) {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 10000,
    maxWaitTimeInMs: 200,
  });
  const got = [];
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    joined = true;
    if (onJoined) onJoined(e);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const runOpts =
    variant === 'manual' || variant === 'ifnecessary-only'
      ? { autoCommit: false, eachBatchAutoResolve: false }
      : { autoCommit: true, autoCommitInterval: 500, autoCommitThreshold: 10, eachBatchAutoResolve: false };
  await consumer.run({
    ...runOpts,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        got.push({
          partition: batch.partition,
          offset: message.offset,
          key: message.key && message.key.toString(),
          value: message.value && message.value.toString(),
        });
        resolveOffset(message.offset);
        await heartbeat();
      }
      if (variant === 'manual') {
        // autoCommit:false => commitOffsetsIfNecessary is a no-op (no interval/threshold);
        // commit explicitly: committed offset = last processed + 1.
        await commitOffsetsIfNecessary();
        const last = batch.messages[batch.messages.length - 1];
        if (last) {
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
        }
      } else {
        // 'auto': commits once autoCommitThreshold/Interval is reached (and on disconnect).
        // 'ifnecessary-only' (autoCommit:false): expected to commit nothing at all.
        await commitOffsetsIfNecessary();
      }
    },
  });
  await waitFor(() => joined, 30000, `${groupId} to join`);
  if (expected > 0) {
    await waitFor(() => got.length >= expected, 30000, `${groupId} to receive ${expected} messages (got ${got.length})`);
    await sleep(1000); // would catch duplicates / extra messages arriving right after
  } else {
    await sleep(quietMs);
  }
  await consumer.disconnect(); // auto variant commits resolved offsets on stop
  return got;
}

async function fullRun() {
  const stamp = Date.now();
  const topic = `smoke-${stamp}`;
  const gzTopic = `smoke-gzip-${stamp}`;
  const manualGroup = `smoke-manual-${stamp}`;
  const autoGroup = `smoke-auto-${stamp}`;
  const admin = kafka.admin();
  await admin.connect();

  console.log('# admin: createTopics / metadata');
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: 3, replicationFactor: 1 },
      { topic: gzTopic, numPartitions: 3, replicationFactor: 1 },
    ],
  });
  check(created === true, `createTopics(${topic}, ${gzTopic}) with 3 partitions`);
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  check(
    md.topics[0].partitions.length === 3,
    'fetchTopicMetadata shows 3 partitions with leaders',
    md.topics[0].partitions.map((p) => p.leader),
  );
  check((await admin.listTopics()).includes(topic), 'listTopics contains the topic');
  const dupe = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] }).catch((e) => e);
  check(dupe === false, 'createTopics on an existing topic returns false (no throw)', String(dupe));

  console.log('# producer: idempotent, acks=-1, keyed');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const messages = Array.from({ length: N }, (_, i) => ({ key: `key-${i % 10}`, value: `value-${i}` }));
  const meta = await producer.send({ topic, acks: -1, messages });
  const perPartition = {};
  for (const r of meta) perPartition[r.partition] = (perPartition[r.partition] || 0) + 1;
  check(
    meta.every((r) => r.errorCode === 0),
    `send(${N} msgs) acknowledged`,
    meta,
  );
  check(Object.keys(perPartition).length > 1, 'keys spread over several partitions', perPartition);

  console.log('# producer: gzip');
  const gzMessages = Array.from({ length: 50 }, (_, i) => ({ key: `g${i}`, value: `gzip-${i}-${'x'.repeat(200)}` }));
  const gzMeta = await producer.send({ topic: gzTopic, acks: -1, compression: CompressionTypes.GZIP, messages: gzMessages });
  check(
    gzMeta.every((r) => r.errorCode === 0),
    'gzip send(50 msgs) acknowledged',
  );

  console.log('# admin: fetchTopicOffsets');
  const topicOffsets = await admin.fetchTopicOffsets(topic);
  const hw = Object.fromEntries(topicOffsets.map((p) => [p.partition, p.high]));
  check(topicOffsets.reduce((s, p) => s + Number(p.high) - Number(p.low), 0) === N, `fetchTopicOffsets: sum(high-low) == ${N}`, topicOffsets);
  const byTs = await admin.fetchTopicOffsetsByTimestamp(topic, stamp - 60000);
  check(
    byTs.every((p) => p.offset === '0'),
    'fetchTopicOffsetsByTimestamp(before first msg) -> 0',
    byTs,
  );

  console.log('# consumer A: autoCommit:false, eachBatch + resolveOffset + commitOffsets');
  const gotA = await consumeGroup({ groupId: manualGroup, topic, expected: N, variant: 'manual' });
  check(gotA.length === N, `group ${manualGroup} received exactly ${N}`, gotA.length);
  check(new Set(gotA.map((m) => m.value)).size === N, 'no duplicates, all values seen');
  const keyPartitions = {};
  for (const m of gotA) (keyPartitions[m.key] ||= new Set()).add(m.partition);
  check(
    Object.values(keyPartitions).every((s) => s.size === 1),
    'each key stays in one partition',
  );

  console.log('# consumer B: autoCommit:true, eachBatch + resolveOffset + commitOffsetsIfNecessary');
  const gotB = await consumeGroup({ groupId: autoGroup, topic, expected: N, variant: 'auto' });
  check(gotB.length === N, `group ${autoGroup} received exactly ${N}`, gotB.length);

  console.log('# consumer C: autoCommit:false + resolveOffset + commitOffsetsIfNecessary only (pitfall check)');
  const ifnGroup = `smoke-ifnecessary-${stamp}`;
  const gotC = await consumeGroup({ groupId: ifnGroup, topic, expected: N, variant: 'ifnecessary-only' });
  const [cC] = await admin.fetchOffsets({ groupId: ifnGroup, topics: [topic] });
  check(
    gotC.length === N && cC.partitions.every((p) => p.offset === '-1'),
    'with autoCommit:false, commitOffsetsIfNecessary() commits nothing (offsets stay -1): commit explicitly',
    cC.partitions,
  );

  console.log('# gzip consume');
  const gotGz = await consumeGroup({ groupId: `smoke-gzip-${stamp}`, topic: gzTopic, expected: 50, variant: 'auto' });
  check(gotGz.length === 50 && gotGz.every((m) => m.value.startsWith('gzip-') && m.value.length > 200), 'gzip messages decompressed intact', gotGz.length);

  console.log('# admin: fetchOffsets (committed) == high watermarks');
  for (const groupId of [manualGroup, autoGroup]) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ok = committed.partitions.every((p) => p.offset === hw[p.partition]);
    check(ok, `${groupId}: committed offsets equal high watermarks`, { committed: committed.partitions, hw });
  }

  console.log('# reconnect same groups (fromBeginning:true): committed offsets honoured, no redelivery');
  // 5 more messages produced while both groups are offline: a reconnecting group must get exactly
  // these 5 and none of the original 100.
  const batch2 = Array.from({ length: 5 }, (_, i) => ({ key: `new-${i}`, value: `batch2-${i}` }));
  await producer.send({ topic, acks: -1, messages: batch2 });
  for (const [groupId, variant] of [
    [manualGroup, 'manual'],
    [autoGroup, 'auto'],
  ]) {
    const got = await consumeGroup({ groupId, topic, variant, expected: 5 });
    const old = got.filter((m) => /^value-\d+$/.test(m.value));
    check(old.length === 0, `${groupId} (${variant}): no old message redelivered after reconnect`, old.slice(0, 5));
    check(
      JSON.stringify(got.map((m) => m.value).sort()) === JSON.stringify(batch2.map((m) => m.value)),
      `${groupId} (${variant}): received exactly the 5 messages produced while offline`,
      got.map((m) => m.value),
    );
  }
  // both groups have now consumed everything: their offsets must equal the new high watermarks
  const finalOffsets = await admin.fetchTopicOffsets(topic);
  const total = sumOffsets(finalOffsets.map((p) => ({ offset: p.high })));
  check(total === N + 5, `high watermarks sum to ${N + 5}`, total);
  const groups = {};
  for (const groupId of [manualGroup, autoGroup]) {
    const [c] = await admin.fetchOffsets({ groupId, topics: [topic] });
    groups[groupId] = sumOffsets(c.partitions);
    check(groups[groupId] === N + 5, `${groupId}: committed offsets sum to ${N + 5}`, c.partitions);
  }
  const desc = await admin.describeGroups([manualGroup]);
  check(desc.groups[0].state === 'Empty', 'describeGroups: group Empty after disconnect', desc.groups[0].state);
  const lg = await admin.listGroups();
  check(
    lg.groups.some((g) => g.groupId === autoGroup),
    'listGroups contains the groups',
  );

  await admin.deleteTopics({ topics: [gzTopic], timeout: 10000 });
  check(!(await admin.listTopics()).includes(gzTopic), 'deleteTopics removed the gzip topic');

  await producer.disconnect();
  await admin.disconnect();
  fs.writeFileSync(STATE_FILE, JSON.stringify({ topic, gzTopic, manualGroup, autoGroup, total }, null, 2));
}

async function restartRun() {
  const st = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  const admin = kafka.admin();
  await admin.connect();
  console.log(`# after broker restart: ${st.topic}`);
  check((await admin.listTopics()).includes(st.topic), 'topic survived the restart');
  const offs = await admin.fetchTopicOffsets(st.topic);
  check(sumOffsets(offs.map((p) => ({ offset: p.high }))) === st.total, `high watermarks still sum to ${st.total}`, offs);
  for (const groupId of [st.manualGroup, st.autoGroup]) {
    const [c] = await admin.fetchOffsets({ groupId, topics: [st.topic] });
    check(sumOffsets(c.partitions) === st.total, `${groupId}: committed offsets survived`, c.partitions);
    const got = await consumeGroup({ groupId, topic: st.topic, expected: 0, variant: 'manual', quietMs: 3000 });
    check(got.length === 0, `${groupId}: nothing redelivered after restart`, got.slice(0, 5));
  }
  await admin.disconnect();
}

(async () => {
  const t0 = Date.now();
  const mode = process.argv[2] || 'full';
  try {
    if (mode === 'restart') await restartRun();
    else await fullRun();
  } catch (e) {
    failures++;
    console.log(`  FAIL exception: ${e && e.stack ? e.stack : e}`);
  }
  console.log('# API versions kafkajs actually sent:');
  console.log(
    '  ' +
      [...apiVersionsUsed]
        .sort()
        .map(([k, v]) => `${k} v${v}`)
        .join(', '),
  );
  console.log(`# kafkajs warnings/errors logged: ${kafkaLogs.length}`);
  console.log(`# ${failures === 0 ? 'PASS' : 'FAIL'} (${failures} failed checks) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  process.exit(failures === 0 ? 0 : 1);
})();
