#pragma once
// Thin, errno-checked wrappers over POSIX files. Every failure comes back as
// a status naming the path and the call; nothing here retries an fsync.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "gafka/util/status.h"

namespace gafka::util {

// An owned file descriptor. Movable, closes on destruction. pread/pwrite are
// safe to call from several threads at once; append_all is not.
class file {
public:
    file() = default;
    ~file();
    file(file&& other) noexcept;
    file& operator=(file&& other) noexcept;
    file(const file&) = delete;
    file& operator=(const file&) = delete;

    // flags as for open(2); mode 0644 when creating.
    static result<file> open(const std::filesystem::path& path, int flags);

    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    const std::filesystem::path& path() const { return path_; }

    result<std::uint64_t> size() const;
    // Reads up to n bytes at pos; fewer only at end of file.
    result<std::size_t> pread(void* buf, std::size_t n, std::uint64_t pos) const;
    status pwrite_all(const void* buf, std::size_t n, std::uint64_t pos) const;
    status write_all(std::string_view data) const;
    status truncate(std::uint64_t size) const;
    status sync_data() const;  // fdatasync
    status sync() const;       // fsync
    void close();

private:
    int fd_ = -1;
    std::filesystem::path path_;
};

// fsync a directory, making renames and creations in it durable.
status sync_directory(const std::filesystem::path& dir);

// Replaces `path` atomically: writes a temporary file beside it, fsyncs it,
// renames it over `path` and fsyncs the directory. A crash leaves either the
// old or the new contents, never a mix.
status atomic_write_file(const std::filesystem::path& path, std::string_view contents);

result<std::string> read_whole_file(const std::filesystem::path& path);

}  // namespace gafka::util
