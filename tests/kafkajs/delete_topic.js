// kafkajs 2.x deletes a topic of a gafka cluster, for tests/cli/cluster.bats.
//
//   KAFKA_BROKER=HOST:PORT TOPIC=NAME node delete_topic.js
//
// KAFKA_BROKER may be any broker of the cluster: kafkajs sends DeleteTopics
// to the controller its metadata names. Exits 0 once the delete is
// answered without an error, 1 on an error or after 30 s.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

const broker = process.env.KAFKA_BROKER;
const topic = process.env.TOPIC;
if (!broker || !topic) {
  console.error('usage: KAFKA_BROKER=HOST:PORT TOPIC=NAME node delete_topic.js');
  process.exit(2);
}

async function main() {
  const kafka = new Kafka({ clientId: 'gafka-kafkajs-delete', brokers: [broker], retry: { retries: 3 }, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic], timeout: 5000 });
  } finally {
    await admin.disconnect();
  }
}

setTimeout(() => {
  console.error('delete_topic.js: no answer within 30 s');
  process.exit(1);
}, 30000).unref();
main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
