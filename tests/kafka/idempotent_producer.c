/* An idempotent librdkafka producer for tests/cli/kafka_idempotence.bats:
 *
 *   idempotent_producer BOOTSTRAP TOPIC N GO_FILE
 *
 * produces the values 0 .. N-1 to partition 0 of TOPIC with
 * enable.idempotence=true: the first half, waits until all of it is
 * delivered and prints "half delivered", waits (at most 60 s) until GO_FILE
 * exists, then produces the second half and waits for its delivery. Between
 * the two the test stops the broker for longer than socket.timeout.ms (the
 * client's timeout for an answer; request.timeout.ms is the one it asks the
 * broker to wait for acks), so librdkafka times the in-flight requests out,
 * drops the connection and sends them again on a new one, while the broker
 * still holds the first copies.
 * message.timeout.ms is long, so no record is given up on (and the producer
 * epoch stays the same). Exits 0 when every record was delivered, 1 when
 * one failed (the error on stderr), 2 on bad arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

static int failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    if (m->err) {
        fprintf(stderr, "idempotent_producer: record %.*s failed: %s\n", (int)m->len, (const char *)m->payload,
                rd_kafka_err2str(m->err));
        failed = 1;
    }
}

static int set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char err[256];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) == RD_KAFKA_CONF_OK) return 0;
    fprintf(stderr, "idempotent_producer: %s=%s: %s\n", name, value, err);
    return -1;
}

static int produce_range(rd_kafka_t *rk, const char *topic, long from, long to) {
    for (long i = from; i < to; ++i) {
        char value[32];
        int n = snprintf(value, sizeof value, "%ld", i);
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                        RD_KAFKA_V_VALUE(value, (size_t)n), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 100);
        if (err) {
            fprintf(stderr, "idempotent_producer: produce %ld: %s\n", i, rd_kafka_err2str(err));
            return -1;
        }
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120 * 1000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "idempotent_producer: records still undelivered after 120 s\n");
        return -1;
    }
    return failed ? -1 : 0;
}

int main(int argc, char **argv) {
    if (argc != 5 || atol(argv[3]) < 2) {
        fprintf(stderr, "usage: idempotent_producer BOOTSTRAP TOPIC N GO_FILE (N >= 2)\n");
        return 2;
    }
    const char *topic = argv[2], *go_file = argv[4];
    long n = atol(argv[3]);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", argv[1]) || set(conf, "enable.idempotence", "true") ||
        set(conf, "socket.timeout.ms", "1000") || set(conf, "message.timeout.ms", "120000") ||
        set(conf, "retry.backoff.ms", "100") || set(conf, "linger.ms", "5") ||
        set(conf, "batch.num.messages", "10"))
        return 2;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char err[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "idempotent_producer: %s\n", err);
        return 1;
    }
    int rc = produce_range(rk, topic, 0, n / 2);
    if (rc == 0) {
        printf("half delivered\n");
        fflush(stdout);
        int go = 0;
        for (int i = 0; i < 600 && !(go = access(go_file, F_OK) == 0); ++i) rd_kafka_poll(rk, 100);
        if (!go) fprintf(stderr, "idempotent_producer: %s did not appear within 60 s\n", go_file);
        rc = go ? produce_range(rk, topic, n / 2, n) : -1;
    }
    rd_kafka_destroy(rk);
    return rc == 0 ? 0 : 1;
}
