#include "gafka/kafka/errors.h"

namespace gafka::kafka {

error_code from_status(status_code c) {
    switch (c) {
        case status_code::ok: return error_code::none;
        case status_code::invalid_argument: return error_code::invalid_request;
        case status_code::not_found: return error_code::unknown_topic_or_partition;
        case status_code::already_exists: return error_code::topic_already_exists;
        case status_code::out_of_range: return error_code::offset_out_of_range;
        case status_code::too_large: return error_code::message_too_large;
        case status_code::not_leader: return error_code::not_leader_or_follower;
        case status_code::not_enough_replicas: return error_code::not_enough_replicas;
        case status_code::timed_out: return error_code::request_timed_out;
        // A damaged topic, a data dir in use: the client retries later.
        case status_code::unavailable: return error_code::leader_not_available;
        // The produce path's one conflict: a producer's sequence gap (the
        // group handlers map their own conflicts to 22, 25 and 27).
        case status_code::conflict: return error_code::out_of_order_sequence_number;
        // A group member replaced by a newer instance of itself.
        case status_code::fenced: return error_code::fenced_instance_id;
        // A corrupt or unwritable log: Kafka's answer for an offline log dir.
        case status_code::corruption:
        case status_code::io_error:
        case status_code::no_space: return error_code::kafka_storage_error;
    }
    return error_code::unknown_server_error;
}

}  // namespace gafka::kafka
