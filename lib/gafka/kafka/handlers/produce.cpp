// Produce (api key 0), v3-7: each partition's record set is one batch,
// checked (not parsed and rebuilt) and handed to the core's produce path as
// it came, which stamps its base offset and leader epoch, appends it and
// waits for the acks asked for, as for HTTP. Idempotent batches (a producer
// id and base sequence in the header) go through the same producer-state
// table: a retry is answered with its first offsets, a gap is 45, an older
// producer epoch 47. Clients may not write an internal topic
// (INVALID_TOPIC_EXCEPTION, as Kafka answers). The batch is not copied on the way: the log writes it
// from the request's frame.
#include "gafka/kafka/handlers/data_handlers.h"
#include "gafka/kafka/handlers/handlers.h"

#include <span>
#include <vector>

#include "gafka/broker/produce_path.h"
#include "gafka/log/batch.h"
#include "gafka/kafka/messages/produce.h"
#include "gafka/rules/names.h"

namespace gafka::kafka {
namespace {

namespace fields = messages::produce_fields;

// Kafka's message.max.bytes default: the largest batch a partition takes.
constexpr std::size_t max_batch_bytes = 1048588;

// Why a partition's record set cannot be stored as it came; none when it can.
error_code check_records(std::optional<std::string_view> records) {
    // Produce v3+ carries exactly one batch per partition, RecordBatch v2.
    // A message set of magic 0 or 1 (the byte sits where a batch's magic
    // does) is not converted: clients of that age get Kafka's 43.
    if (records && records->size() > log::batch_field::magic &&
        static_cast<std::uint8_t>((*records)[log::batch_field::magic]) < log::batch_magic)
        return error_code::unsupported_for_message_format;
    if (!records || records->size() < log::batch_header_size) return error_code::corrupt_message;
    if (records->size() > max_batch_bytes) return error_code::message_too_large;
    auto h = log::decode_header(records->data());
    if (h.magic != log::batch_magic || h.length != records->size()) return error_code::corrupt_message;
    // A compressed batch's records are decompressed and walked here (their
    // count and framing); it is stored as it came unless the topic's
    // compression asks for another codec (broker::partition::append).
    if (log::check_batch(*records) != log::batch_problem::none) return error_code::corrupt_message;
    return error_code::none;
}

// A write the core refused or failed, in Kafka's words.
error_code write_error(const broker::batch_write& w) {
    switch (w.error.code()) {
        case status_code::conflict: return error_code::out_of_order_sequence_number;  // the sequence check
        case status_code::fenced: return error_code::invalid_producer_epoch;  // an older producer epoch
        case status_code::not_enough_replicas:
            return w.written ? error_code::not_enough_replicas_after_append : error_code::not_enough_replicas;
        default: return from_status(w.error);
    }
}

std::optional<broker::acks_mode> parse_acks(std::int16_t acks) {
    if (acks == 0) return broker::acks_mode::none;
    if (acks == 1) return broker::acks_mode::leader;
    if (acks == -1) return broker::acks_mode::all;
    return std::nullopt;
}

// One partition of the request: its error found before writing, or its write.
struct partition_slot {
    error_code error = error_code::none;
    std::shared_ptr<broker::topic> topic;  // keeps the partition alive
    std::size_t write = SIZE_MAX;         // index in the writes, if any
    std::size_t bytes = 0;                // of its batch
};

}  // namespace

boost::asio::awaitable<std::optional<answer>> handle_produce(const request& req, broker::core& core) {
    const value& in = req.body;
    auto acks = parse_acks(in.i16("acks"));
    std::vector<partition_slot> slots;  // in request order
    std::vector<broker::batch_write> writes;
    for (const value& t : in.array("topic_data")) {
        std::string name(t.str("name"));
        auto target = broker::find_produce_topic(core, name);
        for (const value& p : t.array("partition_data")) {
            auto& slot = slots.emplace_back();
            auto index = p.i32("index");
            auto records = p.records("records");
            if (!acks) slot.error = error_code::invalid_required_acks;
            else if (rules::is_internal_topic(name)) slot.error = error_code::invalid_topic_exception;  // as Kafka
            else if (!target.ok() || index < 0 || index >= target->partitions)
                slot.error = error_code::unknown_topic_or_partition;
            else slot.error = check_records(records);
            if (slot.error != error_code::none) continue;
            if (auto s = co_await broker::ensure_produce_topic(core, name, *target); !s.ok()) {  // once, on first produce
                slot.error = s.code() == status_code::not_found ? error_code::unknown_topic_or_partition : from_status(s);
                continue;
            }
            slot.topic = target->found;
            slot.write = writes.size();
            slot.bytes = records->size();
            // Lent, not copied: the records view points into the request's
            // frame, which the connection made mutable (kafka/frame_reader.h)
            // and keeps until this handler ends; the log restamps the batch
            // there and writes it from there.
            std::span<char> batch(const_cast<char*>(records->data()), records->size());
            writes.emplace_back(target->found->partitions[static_cast<std::size_t>(index)].get(),
                                log::batch_bytes::lent(batch));
        }
    }
    if (acks) (void)co_await broker::write_batches(core, writes, *acks, broker::on_failure::each_its_own);
    for (const auto& s : slots) {
        if (s.write == SIZE_MAX) continue;
        const auto& w = writes[s.write];
        if (w.written && !w.appended.duplicate) {  // as for HTTP, a retry the log had is not counted again
            s.topic->records_in += w.appended.last_offset - w.appended.base_offset + 1;
            s.topic->bytes_in += static_cast<std::int64_t>(s.bytes);  // the batch as sent
        }
    }
    if (acks == broker::acks_mode::none) co_return std::nullopt;

    answer a{value::make(fields::response)};
    auto slot = slots.begin();
    for (const value& t : in.array("topic_data")) {
        value& topic_out = a.body.add("responses").set("name", std::string(t.str("name")));
        for (const value& p : t.array("partition_data")) {
            const auto& s = *slot++;
            value& out = topic_out.add("partition_responses").set("index", p.i32("index")).set("base_offset", -1);
            if (s.write == SIZE_MAX) {
                out.set("error_code", code(s.error));
                continue;
            }
            const auto& w = writes[s.write];
            out.set("log_start_offset", w.target->log().log_start_offset());
            if (w.error.ok()) out.set("base_offset", w.appended.base_offset);
            else out.set("error_code", code(write_error(w)));
        }
    }
    co_return a;
}

namespace handlers {

handler_result produce(const request& req, connection_context& conn) { return handle_produce(req, *conn.broker.core); }

}  // namespace handlers

}  // namespace gafka::kafka
