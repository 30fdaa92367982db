#pragma once
// Shared helpers for unit tests: a temporary directory removed on teardown,
// and byte-damaging helpers in the spirit of LevelDB's log_test.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace gafka::test {

class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

void flip_byte(const std::filesystem::path& file, std::uint64_t position);
void truncate_to(const std::filesystem::path& file, std::uint64_t size);
void append_bytes(const std::filesystem::path& file, const std::string& bytes);
std::string file_bytes(const std::filesystem::path& file);
void copy_dir(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace gafka::test
