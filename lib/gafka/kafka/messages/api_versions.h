#pragma once
// ApiVersions (api key 18), versions 0-3, flexible from 3: the fields of
// Kafka's ApiVersionsRequest.json and ApiVersionsResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::api_versions_fields {

inline constexpr field request_fields[] = {
    f::str("client_software_name", since(3)),
    f::str("client_software_version", since(3)),
};
inline constexpr struct_schema request{"ApiVersionsRequest", request_fields};

inline constexpr field api_version_fields[] = {
    f::i16("api_key", since(0)),
    f::i16("min_version", since(0)),
    f::i16("max_version", since(0)),
};
inline constexpr struct_schema api_version{"ApiVersion", api_version_fields};

inline constexpr field supported_feature_key_fields[] = {
    f::str("name", since(3)),
    f::i16("min_version", since(3)),
    f::i16("max_version", since(3)),
};
inline constexpr struct_schema supported_feature_key{"SupportedFeatureKey", supported_feature_key_fields};

inline constexpr field finalized_feature_key_fields[] = {
    f::str("name", since(3)),
    f::i16("max_version_level", since(3)),
    f::i16("min_version_level", since(3)),
};
inline constexpr struct_schema finalized_feature_key{"FinalizedFeatureKey", finalized_feature_key_fields};

inline constexpr field response_fields[] = {
    f::i16("error_code", since(0)),
    f::array_of(api_version, "api_keys", since(0)),
    f::i32("throttle_time_ms", since(1)),
    f::array_of(supported_feature_key, "supported_features", since(3)).tagged(0),
    f::i64("finalized_features_epoch", since(3)).def(-1).tagged(1),
    f::array_of(finalized_feature_key, "finalized_features", since(3)).tagged(2),
    f::boolean("zk_migration_ready", since(3)).tagged(3),
};
inline constexpr struct_schema response{"ApiVersionsResponse", response_fields};

}  // namespace gafka::kafka::messages::api_versions_fields

namespace gafka::kafka::messages {
inline constexpr api_schema api_versions{"ApiVersions", 18, range(0, 3), 3, &api_versions_fields::request, &api_versions_fields::response};
}  // namespace gafka::kafka::messages
