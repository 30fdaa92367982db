#include "test_support.h"

#include <fstream>
#include <random>
#include <sstream>

namespace gafka::test {

temp_dir::temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("gafka-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void flip_byte(const std::filesystem::path& file, std::uint64_t position) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f) << file;
    f.seekg(static_cast<std::streamoff>(position));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(position));
    f.put(static_cast<char>(c ^ 0x40));
}

void truncate_to(const std::filesystem::path& file, std::uint64_t size) { std::filesystem::resize_file(file, size); }

void append_bytes(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream f(file, std::ios::app | std::ios::binary);
    f << bytes;
}

std::string file_bytes(const std::filesystem::path& file) {
    std::ifstream f(file, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void copy_dir(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

}  // namespace gafka::test
