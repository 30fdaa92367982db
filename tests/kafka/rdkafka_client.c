/* A librdkafka client for tests/cli/rdkafka.bats: it drives gafka-broker's
 * Kafka port through librdkafka's own C API, as applications do.
 *
 *   rdkafka_client produce BROKERS TOPIC N
 *       Produces records k1/v1 .. kN/vN (header n=<i>) with acks=all and
 *       the default partitioner, waits for every delivery report and prints
 *       "produced PARTITION OFFSET KEY" per record. Exit 1 on any failure.
 *   rdkafka_client rebalance BROKERS TOPIC GROUP PARTITIONS N [STRATEGY]
 *       Two consumers of GROUP in this process (polled in turn) subscribe to
 *       TOPIC, member 2 once member 1 owns every partition; once they share
 *       its PARTITIONS, N records are produced and read; then member 2
 *       commits and closes (it leaves the group), member 1 is rebalanced to
 *       every partition, N more records are produced and member 1 reads
 *       them. STRATEGY is partition.assignment.strategy (default
 *       librdkafka's, range,roundrobin); with cooperative-sticky the
 *       rebalances are incremental (rd_kafka_incremental_assign and
 *       _unassign). Prints "revoked MEMBER P..." with the partitions taken
 *       back and "assigned MEMBER P..." with the member's whole assignment
 *       after each change, "read MEMBER PARTITION OFFSET KEY VALUE" per
 *       record, "left 2", "closing 1", and the "produced" lines. Once
 *       the first records are read, it lists GROUP (rd_kafka_list_groups:
 *       ListGroups, then DescribeGroups) and prints "group STATE
 *       PROTOCOL_TYPE PROTOCOL" and "member CLIENT_ID CLIENT_HOST" per
 *       member that has an assignment. Every wait
 *       is bounded (30 s); exit 1 when one runs out or a call fails.
 *
 * Built by tests/cli/rdkafka.bats with cc and pkg-config rdkafka. */
#include <librdkafka/rdkafka.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_PARTITIONS = 64, WAIT_MS = 30000 };

static int delivery_errors;

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("rdkafka_client: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char err[256];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK)
        die("%s=%s: %s", name, value, err);
}

/* --- producer ----------------------------------------------------------- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    if (m->err) {
        fprintf(stderr, "rdkafka_client: delivery failed: %s\n", rd_kafka_err2str(m->err));
        delivery_errors++;
        return;
    }
    printf("produced %d %lld %.*s\n", (int)m->partition, (long long)m->offset, (int)m->key_len,
           (const char *)m->key);
}

/* produce: records k<from>..k<to> (values v<i>, header n=<i>), acks=all. */
static void produce(const char *brokers, const char *topic, int from, int to) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", brokers);
    set(conf, "acks", "all");
    set(conf, "linger.ms", "5");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk)
        die("producer: %s", err);
    for (int i = from; i <= to; i++) {
        char key[32], value[32], n[16];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(value, sizeof value, "v%d", i);
        snprintf(n, sizeof n, "%d", i);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
            RD_KAFKA_V_VALUE(value, strlen(value)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER("n", n, (ssize_t)strlen(n)), RD_KAFKA_V_END);
        if (e)
            die("produce %s: %s", key, rd_kafka_err2str(e));
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, WAIT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR)
        die("flush: %d records not delivered in time", rd_kafka_outq_len(rk));
    rd_kafka_destroy(rk);
    if (delivery_errors)
        die("%d records not delivered", delivery_errors);
    fflush(stdout);
}

/* --- consumers ---------------------------------------------------------- */

struct member {
    int id;
    rd_kafka_t *rk;
    int owns[MAX_PARTITIONS]; /* 1 where the current assignment has the partition */
    int read;                 /* records read */
};

static int partitions;
static const char *strategy; /* partition.assignment.strategy; NULL: librdkafka's default */

static void check(rd_kafka_error_t *e, const char *what) {
    if (e) {
        fprintf(stderr, "rdkafka_client: %s: %s\n", what, rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        exit(1);
    }
}

/* Eager protocols (range, roundrobin) give a member its whole assignment
 * and take all of it back; the cooperative one adds and takes away only
 * the partitions that move, so the rest keep being read meanwhile. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    struct member *m = opaque;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    int assign = e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
    if (!cooperative)
        memset(m->owns, 0, sizeof m->owns);
    for (int i = 0; i < parts->cnt; i++)
        if (parts->elems[i].partition < MAX_PARTITIONS)
            m->owns[parts->elems[i].partition] = assign;
    if (cooperative)
        check(assign ? rd_kafka_incremental_assign(rk, parts) : rd_kafka_incremental_unassign(rk, parts),
              assign ? "incremental assign" : "incremental unassign");
    else if (rd_kafka_assign(rk, assign ? parts : NULL))
        die("member %d: assign failed", m->id);
    if (!assign) {
        printf("revoked %d", m->id);
        for (int i = 0; i < parts->cnt; i++)
            printf(" %d", (int)parts->elems[i].partition);
        printf("\n");
    }
    if (assign || cooperative) {
        printf("assigned %d", m->id);
        for (int p = 0; p < MAX_PARTITIONS; p++)
            if (m->owns[p])
                printf(" %d", p);
        printf("\n");
        fflush(stdout);
    }
}

static void member_start(struct member *m, int id, const char *brokers, const char *topic, const char *group) {
    char err[256], client_id[32];
    memset(m, 0, sizeof *m);
    m->id = id;
    snprintf(client_id, sizeof client_id, "member-%d", id);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", brokers);
    set(conf, "group.id", group);
    set(conf, "client.id", client_id);
    set(conf, "auto.offset.reset", "earliest");
    set(conf, "session.timeout.ms", "6000");
    if (strategy)
        set(conf, "partition.assignment.strategy", strategy);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_opaque(conf, m);
    m->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!m->rk)
        die("consumer %d: %s", id, err);
    rd_kafka_poll_set_consumer(m->rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(m->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e)
        die("subscribe %d: %s", id, rd_kafka_err2str(e));
}

/* member_poll: one poll of M (100 ms); prints what it reads. */
static void member_poll(struct member *m) {
    rd_kafka_message_t *msg = rd_kafka_consumer_poll(m->rk, 100);
    if (!msg)
        return;
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        /* not asked for (enable.partition.eof is off) */
    } else if (msg->err) {
        die("member %d: %s", m->id, rd_kafka_message_errstr(msg));
    } else {
        printf("read %d %d %lld %.*s %.*s\n", m->id, (int)msg->partition, (long long)msg->offset,
               (int)msg->key_len, (const char *)msg->key, (int)msg->len, (const char *)msg->payload);
        fflush(stdout);
        m->read++;
    }
    rd_kafka_message_destroy(msg);
}

static int owned(const struct member *m) {
    int n = 0;
    for (int p = 0; p < partitions; p++)
        n += m->owns[p];
    return n;
}

/* shared: both own partitions, and between them each partition once. */
static int shared(struct member *ms, int n) {
    (void)n;
    if (!owned(&ms[0]) || !owned(&ms[1]))
        return 0;
    for (int p = 0; p < partitions; p++)
        if (ms[0].owns[p] + ms[1].owns[p] != 1)
            return 0;
    return 1;
}

static int reads_reach(struct member *ms, int n) { return ms[0].read + ms[1].read >= n; }
static int first_owns_all(struct member *ms, int n) { (void)n; return owned(&ms[0]) == partitions; }
static int first_reads(struct member *ms, int n) { return ms[0].read >= n; }

/* poll_until: polls the live members in turn until DONE(ms, n), bounded. */
static void poll_until(struct member *ms, int live, int (*done)(struct member *, int), int n, const char *what) {
    long long deadline = now_ms() + WAIT_MS;
    while (!done(ms, n)) {
        if (now_ms() > deadline)
            die("timed out waiting until %s", what);
        for (int i = 0; i < live; i++)
            member_poll(&ms[i]);
    }
}

/* describe: GROUP as rd_kafka_list_groups shows it. */
static void describe(rd_kafka_t *rk, const char *group) {
    const struct rd_kafka_group_list *list;
    rd_kafka_resp_err_t e = rd_kafka_list_groups(rk, group, &list, WAIT_MS);
    if (e)
        die("list groups: %s", rd_kafka_err2str(e));
    for (int i = 0; i < list->group_cnt; i++) {
        const struct rd_kafka_group_info *g = &list->groups[i];
        if (g->err)
            die("describe %s: %s", g->group, rd_kafka_err2str(g->err));
        printf("group %s %s %s\n", g->state, g->protocol_type, g->protocol);
        for (int j = 0; j < g->member_cnt; j++)
            if (g->members[j].member_assignment_size > 0)
                printf("member %s %s\n", g->members[j].client_id, g->members[j].client_host);
    }
    fflush(stdout);
    rd_kafka_group_list_destroy(list);
}

static void rebalance(const char *brokers, const char *topic, const char *group, int n) {
    struct member ms[2];
    member_start(&ms[0], 1, brokers, topic, group);
    poll_until(ms, 1, first_owns_all, 0, "member 1 owns every partition");
    member_start(&ms[1], 2, brokers, topic, group);
    poll_until(ms, 2, shared, 0, "the two members share the partitions");
    produce(brokers, topic, 1, n);
    poll_until(ms, 2, reads_reach, n, "the members read the first records");
    describe(ms[0].rk, group);
    rd_kafka_resp_err_t e = rd_kafka_commit(ms[1].rk, NULL, 0);
    if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
        die("commit 2: %s", rd_kafka_err2str(e));
    if ((e = rd_kafka_consumer_close(ms[1].rk)))
        die("close 2: %s", rd_kafka_err2str(e));
    rd_kafka_destroy(ms[1].rk);
    printf("left 2\n");
    fflush(stdout);
    poll_until(ms, 1, first_owns_all, 0, "member 1 owns every partition");
    int before = ms[0].read;
    produce(brokers, topic, n + 1, 2 * n);
    poll_until(ms, 1, first_reads, before + n, "member 1 reads the records produced after the leave");
    printf("closing 1\n");
    if ((e = rd_kafka_consumer_close(ms[0].rk)))
        die("close 1: %s", rd_kafka_err2str(e));
    rd_kafka_destroy(ms[0].rk);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 5 && strcmp(argv[1], "produce") == 0) {
        produce(argv[2], argv[3], 1, atoi(argv[4]));
        return 0;
    }
    if ((argc == 7 || argc == 8) && strcmp(argv[1], "rebalance") == 0) {
        strategy = argc == 8 ? argv[7] : NULL;
        partitions = atoi(argv[5]);
        if (partitions < 1 || partitions > MAX_PARTITIONS)
            die("PARTITIONS must be 1 to %d", MAX_PARTITIONS);
        rebalance(argv[2], argv[3], argv[4], atoi(argv[6]));
        return 0;
    }
    fprintf(stderr, "usage: rdkafka_client produce BROKERS TOPIC N\n"
                    "       rdkafka_client rebalance BROKERS TOPIC GROUP PARTITIONS N [STRATEGY]\n");
    return 2;
}
