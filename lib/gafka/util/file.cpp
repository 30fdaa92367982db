#include "gafka/util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace gafka::util {

file::~file() { close(); }

file::file(file&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }

file& file::operator=(file&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = other.fd_;
        path_ = std::move(other.path_);
        other.fd_ = -1;
    }
    return *this;
}

result<file> file::open(const std::filesystem::path& path, int flags) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0) return status::from_errno("open " + path.string(), errno);
    file f;
    f.fd_ = fd;
    f.path_ = path;
    return f;
}

result<std::uint64_t> file::size() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return status::from_errno("fstat " + path_.string(), errno);
    return static_cast<std::uint64_t>(st.st_size);
}

result<std::size_t> file::pread(void* buf, std::size_t n, std::uint64_t pos) const {
    std::size_t done = 0;
    auto out = static_cast<char*>(buf);
    while (done < n) {
        ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(pos + done));
        if (r < 0) {
            if (errno == EINTR) continue;
            return status::from_errno("read " + path_.string(), errno);
        }
        if (r == 0) break;
        done += static_cast<std::size_t>(r);
    }
    return done;
}

status file::pwrite_all(const void* buf, std::size_t n, std::uint64_t pos) const {
    auto in = static_cast<const char*>(buf);
    std::size_t done = 0;
    while (done < n) {
        ssize_t r = ::pwrite(fd_, in + done, n - done, static_cast<off_t>(pos + done));
        if (r < 0) {
            if (errno == EINTR) continue;
            return status::from_errno("write " + path_.string(), errno);
        }
        done += static_cast<std::size_t>(r);
    }
    return {};
}

status file::write_all(std::string_view data) const {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t r = ::write(fd_, data.data() + done, data.size() - done);
        if (r < 0) {
            if (errno == EINTR) continue;
            return status::from_errno("write " + path_.string(), errno);
        }
        done += static_cast<std::size_t>(r);
    }
    return {};
}

status file::truncate(std::uint64_t size) const {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
        return status::from_errno("truncate " + path_.string(), errno);
    return {};
}

status file::sync_data() const {
    if (::fdatasync(fd_) != 0) return status::sync_failure("fdatasync " + path_.string(), errno);
    return {};
}

status file::sync() const {
    if (::fsync(fd_) != 0) return status::sync_failure("fsync " + path_.string(), errno);
    return {};
}

void file::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

status sync_directory(const std::filesystem::path& dir) {
    auto d = file::open(dir, O_RDONLY | O_DIRECTORY);
    if (!d.ok()) return d.error();
    return d->sync();
}

status atomic_write_file(const std::filesystem::path& path, std::string_view contents) {
    auto tmp = path;
    tmp += ".tmp";
    {
        auto f = file::open(tmp, O_WRONLY | O_CREAT | O_TRUNC);
        if (!f.ok()) return f.error();
        if (auto s = f->write_all(contents); !s.ok()) return s;
        if (auto s = f->sync(); !s.ok()) return s;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0)
        return status::from_errno("rename " + tmp.string() + " to " + path.string(), errno);
    auto parent = path.parent_path();
    return sync_directory(parent.empty() ? std::filesystem::path(".") : parent);
}

result<std::string> read_whole_file(const std::filesystem::path& path) {
    auto f = file::open(path, O_RDONLY);
    if (!f.ok()) return f.error();
    auto size = f->size();
    if (!size.ok()) return size.error();
    std::string data(*size, '\0');
    auto n = f->pread(data.data(), data.size(), 0);
    if (!n.ok()) return n.error();
    data.resize(*n);
    return data;
}

}  // namespace gafka::util
