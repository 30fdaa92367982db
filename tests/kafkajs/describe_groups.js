// kafkajs 2.x lists and describes a gafka broker's groups, for
// tests/cli/kafkajs.bats.
//
//   KAFKA_BROKER=HOST:PORT node describe_groups.js GROUP...
//
// Prints one JSON object: `listed`, admin.listGroups()'s groups sorted by
// id, and `described`, admin.describeGroups(GROUP...)'s groups, each
// member's assignment decoded with kafkajs' consumer protocol when it has
// one. Exits 1 on an error or after 30 s.
'use strict';

const { Kafka, AssignerProtocol, logLevel } = require('kafkajs');

const broker = process.env.KAFKA_BROKER;
const groups = process.argv.slice(2);
if (!broker || groups.length === 0) {
  console.error('usage: KAFKA_BROKER=HOST:PORT node describe_groups.js GROUP...');
  process.exit(2);
}

// A described group's members with their assignments readable.
function readable(group) {
  const members = group.members.map(({ memberId, clientId, clientHost, memberAssignment }) => ({
    memberId,
    clientId,
    clientHost,
    assignment:
      memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(memberAssignment).assignment : null,
  }));
  return { ...group, members };
}

async function main() {
  const kafka = new Kafka({ clientId: 'gafka-kafkajs-groups', brokers: [broker], retry: { retries: 3 }, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const listed = (await admin.listGroups()).groups.sort((a, b) => a.groupId.localeCompare(b.groupId));
    const described = (await admin.describeGroups(groups)).groups.map(readable);
    process.stdout.write(`${JSON.stringify({ listed, described })}\n`);
  } finally {
    await admin.disconnect();
  }
}

setTimeout(() => {
  console.error('describe_groups.js: no answer within 30 s');
  process.exit(1);
}, 30000).unref();
main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
