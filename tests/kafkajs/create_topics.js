// kafkajs' admin createTopics against a gafka cluster, for the cluster
// tests of tests/cli/cluster.bats:
//
//   KAFKA_BROKERS=HOST:PORT,... TOPIC=NAME node create_topics.js
//
// Creates TOPIC (2 partitions, replication factor 3, retention.ms 3600000),
// then TOPIC-wide with replication factor 4. Prints one JSON object:
// {"created": true|false, "wide": "<type> <code>" of the error, or "created"}.
// kafkajs' own log goes to stderr. Exits 1 on another error or after 60 s.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '').split(',').filter(Boolean);
const topic = process.env.TOPIC;
if (brokers.length === 0 || !topic) {
  console.error('usage: KAFKA_BROKERS=HOST:PORT,... TOPIC=NAME node create_topics.js');
  process.exit(2);
}

const kafka = new Kafka({
  clientId: 'gafka-kafkajs-cluster-test',
  brokers,
  retry: { retries: 5 },
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, level, log }) => {
    console.error(`kafkajs ${level} ${namespace}: ${log.message}`);
  },
});

const deadline = setTimeout(() => {
  console.error('kafkajs create_topics: timed out after 60 s');
  process.exit(1);
}, 60000);

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  const out = {};
  try {
    out.created = await admin.createTopics({
      topics: [
        { topic, numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
      ],
    });
    out.wide = await admin
      .createTopics({ topics: [{ topic: `${topic}-wide`, numPartitions: 1, replicationFactor: 4 }] })
      .then(
        () => 'created',
        (e) => (e.errors || [e]).map((x) => `${x.type} ${x.code}`).join(','),
      );
  } finally {
    await admin.disconnect();
  }
  console.log(JSON.stringify(out));
}

main().then(
  () => {
    clearTimeout(deadline);
  },
  (e) => {
    console.error(`kafkajs create_topics: ${e.stack || e}`);
    process.exit(1);
  },
);
