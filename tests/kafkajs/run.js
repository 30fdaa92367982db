// kafkajs 2.x against gafka's Kafka port, for tests/cli/kafkajs.bats.
//
//   KAFKA_BROKER=HOST:PORT TOPIC=NAME GROUP=NAME node run.js
//
// With the admin client: creates TOPIC (3 partitions) and TOPIC-scratch (1),
// creates TOPIC again (false: it exists), lists the topics; then produces
// RECORDS (default 12) records k<i>/v<i> with header n=<i> to TOPIC (acks
// -1, record i to partition i % 3); reads them back with a consumer of GROUP
// from the beginning, and describes GROUP while that consumer is in it
// (admin.describeGroups, the member's assignment decoded) and lists the
// groups; fetches GROUP's committed offsets; deletes
// TOPIC-scratch and lists the topics again. Prints one JSON object with
// what each step returned; kafkajs' own log goes to stderr. Exits 1 on an
// error or after 60 s.
'use strict';

const { Kafka, AssignerProtocol, Partitioners, logLevel } = require('kafkajs');

const broker = process.env.KAFKA_BROKER;
const topic = process.env.TOPIC;
const groupId = process.env.GROUP;
const records = Number(process.env.RECORDS || 12);
if (!broker || !topic || !groupId) {
  console.error('usage: KAFKA_BROKER=HOST:PORT TOPIC=NAME GROUP=NAME [RECORDS=N] node run.js');
  process.exit(2);
}
const scratch = `${topic}-scratch`;

const kafka = new Kafka({
  clientId: 'gafka-kafkajs-test',
  brokers: [broker],
  retry: { retries: 3 },
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, level, log }) => {
    console.error(`kafkajs ${level} ${namespace}: ${log.message}`);
  },
});

const deadline = setTimeout(() => {
  console.error('kafkajs test: timed out after 60 s');
  process.exit(1);
}, 60000);

async function adminSteps(admin, out) {
  out.created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: 3 },
      { topic: scratch, numPartitions: 1 },
    ],
  });
  out.created_again = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  // CreatePartitions: grows, then refuses fewer (INVALID_PARTITIONS, not retried).
  await admin.createPartitions({ topicPartitions: [{ topic: scratch, count: 4 }] });
  out.grown = (await admin.fetchTopicMetadata({ topics: [scratch] })).topics[0].partitions.length;
  out.shrink = await admin.createPartitions({ topicPartitions: [{ topic: scratch, count: 2 }] }).then(
    () => 'accepted',
    (e) => (e.errors || [e]).map((x) => x.type).join(','),
  );
  out.topics = (await admin.listTopics()).sort();
}

async function produce(out) {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = [];
  for (let i = 1; i <= records; i++) {
    messages.push({ partition: i % 3, key: `k${i}`, value: `v${i}`, headers: { n: String(i) } });
  }
  const sent = await producer.send({ topic, acks: -1, messages });
  out.produced = sent
    .map(({ partition, errorCode, baseOffset }) => ({ partition, errorCode, baseOffset: Number(baseOffset) }))
    .sort((a, b) => a.partition - b.partition);
  await producer.disconnect();
}

async function describeLive(admin, out) {
  const [group] = (await admin.describeGroups([groupId])).groups;
  out.described = {
    state: group.state,
    protocolType: group.protocolType,
    protocol: group.protocol,
    members: group.members.map(({ clientId, clientHost, memberAssignment }) => ({
      clientId,
      clientHost,
      assignment: AssignerProtocol.MemberAssignment.decode(memberAssignment).assignment,
    })),
  };
  out.listed = (await admin.listGroups()).groups;
}

async function consume(admin, out) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const read = [];
  await new Promise((resolve, reject) => {
    consumer
      .run({
        autoCommit: true,
        eachMessage: async ({ partition, message }) => {
          read.push({
            partition,
            offset: Number(message.offset),
            key: message.key.toString(),
            value: message.value.toString(),
            headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.toString()])),
          });
          if (read.length === records) resolve();
        },
      })
      .catch(reject);
  });
  await describeLive(admin, out);
  // Leaving commits what eachMessage resolved.
  await consumer.disconnect();
  out.consumed = read.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  const out = {};
  await adminSteps(admin, out);
  await produce(out);
  await consume(admin, out);
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  out.committed = offsets[0].partitions
    .map(({ partition, offset }) => ({ partition, offset: Number(offset) }))
    .sort((a, b) => a.partition - b.partition);
  await admin.deleteTopics({ topics: [scratch] });
  out.topics_after_delete = (await admin.listTopics()).sort();
  await admin.disconnect();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().then(
  () => clearTimeout(deadline),
  (err) => {
    console.error(`kafkajs test: ${err.stack || err}`);
    process.exit(1);
  },
);
