// Output files as DESIGN.md promises them (see prcm/files.h): a temporary in the
// target's folder, every call checked, renamed over the target; the temporaries
// alive at any moment sit in a fixed table that a signal handler can empty.
#include "prcm/files.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace prcm {

namespace {

// The live temporaries. A slot is claimed (free -> claimed) by one writer, its
// name is written, and only then is it published (-> live): the signal handler
// reads the name of live slots only, and unlink() is async-signal-safe.
constexpr int kSlots = 64;
constexpr size_t kNameBytes = 4096;  // PATH_MAX: mkstemp fails (ENAMETOOLONG) past it anyway
enum SlotState : int { slot_free = 0, slot_claimed = 1, slot_live = 2 };
struct Slot {
    std::atomic<int> state{slot_free};
    char name[kNameBytes];
};
Slot slots[kSlots];
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler reads the slots' state");

int claim_slot() {
    for (int i = 0; i < kSlots; i++) {
        int expected = slot_free;
        if (slots[i].state.compare_exchange_strong(expected, slot_claimed)) return i;
    }
    return -1;
}

// SIGINT and SIGTERM wait while this thread creates or renames a temporary, so
// that the handler never runs between the file's creation (or rename) and its
// slot's update. (A signal delivered to another thread in that window of a few
// instructions could still leave one behind.)
class SignalsHeld {
public:
    SignalsHeld() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &set, &old_);
    }
    ~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
    SignalsHeld(const SignalsHeld &) = delete;
    SignalsHeld &operator=(const SignalsHeld &) = delete;

private:
    sigset_t old_;
};

std::string errno_text(int err) { return std::strerror(err); }

// "a/b/c.json" -> "a/b"; "c.json" -> "."; "/c.json" -> "/".
std::string folder_of(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What a non-regular file is, for a refusal.
const char *kind_of(mode_t mode) {
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// The same refusal from check_output_path and write_file_atomically.
Status refuse_kind(const std::string &path, mode_t mode) {
    return Status::error(path + ": is " + kind_of(mode) +
                         "; prcm writes its outputs only to regular files (it replaces them by renaming)");
}

// The permission bits open(path, O_CREAT, 0666) would give: umask() both reads and
// sets, which races with other threads, so it is read from /proc where it is shown.
mode_t new_file_mode() {
    mode_t mask = 022;
    bool found = false;
    if (FILE *f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f)) {
            unsigned value = 0;
            if (std::sscanf(line, "Umask: %o", &value) == 1) {
                mask = static_cast<mode_t>(value);
                found = true;
                break;
            }
        }
        std::fclose(f);
    }
    if (!found) {
        mask = umask(022);
        umask(mask);
    }
    return 0666 & ~mask;
}

// The temporary's name: short, so that a target name of 255 bytes still leaves
// room, and starting with the target's own name so that a user can tell whose it is.
std::string temporary_template(const std::string &path) {
    std::string base = base_of(path).substr(0, 20);
    while (!base.empty() && (static_cast<unsigned char>(base.back()) & 0xC0) == 0x80) base.pop_back();  // UTF-8
    if (!base.empty() && (static_cast<unsigned char>(base.back()) & 0x80)) base.pop_back();
    const std::string folder = folder_of(path);
    return (folder == "/" ? "" : folder) + "/." + base + ".prcm-XXXXXX";
}

// 0, or the errno of the write that failed.
int write_all(int fd, const std::string &bytes) {
    const char *p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    return 0;
}

}  // namespace

void remove_temporary_files_now() {
    for (Slot &slot : slots) {
        if (slot.state.load() == slot_live) ::unlink(slot.name);
    }
}

Status check_output_path(const std::string &path, const std::vector<std::string> &inputs) {
    if (path.empty()) return Status::error("an output path is empty");
    if (path.back() == '/') return Status::error(path + ": names a folder, not a file");
    struct stat target;
    if (::lstat(path.c_str(), &target) == 0) {
        if (!S_ISREG(target.st_mode)) return refuse_kind(path, target.st_mode);
        for (const std::string &input : inputs) {
            struct stat in;
            if (!input.empty() && ::stat(input.c_str(), &in) == 0 && in.st_dev == target.st_dev &&
                in.st_ino == target.st_ino) {
                return Status::error(path + ": is the same file as the input " + input +
                                     "; writing it would replace the input");
            }
        }
    } else if (errno != ENOENT) {
        return Status::error(path + ": cannot be written: " + errno_text(errno));
    }
    const std::string folder = folder_of(path);
    struct stat dir;
    if (::stat(folder.c_str(), &dir) != 0) {
        return Status::error(
            path + ": its folder " + folder + " " +
            (errno == ENOENT ? std::string("does not exist") : "cannot be read: " + errno_text(errno)));
    }
    if (!S_ISDIR(dir.st_mode)) return Status::error(path + ": " + folder + " is not a folder");
    if (::faccessat(AT_FDCWD, folder.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
        return Status::error(path + ": its folder " + folder + " is not writable: " + errno_text(errno));
    }
    return Status::ok();
}

Status write_file_atomically(const std::string &path, const std::string &bytes) {
    if (path.empty()) return Status::error("an output path is empty");
    if (path.back() == '/') return Status::error(path + ": names a folder, not a file");
    mode_t mode;
    struct stat target;
    if (::lstat(path.c_str(), &target) == 0) {
        if (!S_ISREG(target.st_mode)) return refuse_kind(path, target.st_mode);
        mode = target.st_mode & 07777;
    } else if (errno == ENOENT) {
        mode = new_file_mode();
    } else {
        return Status::failed(path + ": cannot be written: " + errno_text(errno));
    }

    const std::string name = temporary_template(path);
    if (name.size() >= kNameBytes) return Status::failed(path + ": " + errno_text(ENAMETOOLONG));
    const int slot = claim_slot();
    if (slot < 0) return Status::failed(path + ": more than " + std::to_string(kSlots) + " files written at once");
    Slot &s = slots[slot];
    std::memcpy(s.name, name.c_str(), name.size() + 1);
    int fd;
    {
        SignalsHeld held;
        fd = ::mkostemp(s.name, O_CLOEXEC);
        if (fd >= 0) s.state.store(slot_live);
    }
    if (fd < 0) {
        const int err = errno;
        s.state.store(slot_free);
        return Status::failed(path + ": cannot create a temporary file in " + folder_of(path) + ": " + errno_text(err));
    }
    // From here every failure removes the temporary and leaves the target alone.
    auto fail = [&](const std::string &what, int err, bool open) {
        if (open) ::close(fd);
        {
            SignalsHeld held;
            ::unlink(s.name);
            s.state.store(slot_free);
        }
        return Status::failed(path + ": " + what + ": " + errno_text(err) + " (the previous file, if any, is kept)");
    };
    if (int err = write_all(fd, bytes); err != 0) return fail("cannot write", err, true);
    if (::fchmod(fd, mode) != 0) return fail("cannot set its permissions", errno, true);
    if (::fsync(fd) != 0) return fail("cannot flush it to disk", errno, true);
    if (::close(fd) != 0) return fail("cannot close it", errno, false);
    {
        SignalsHeld held;
        if (::rename(s.name, path.c_str()) != 0) {
            const int err = errno;
            ::unlink(s.name);
            s.state.store(slot_free);
            return Status::failed(path + ": cannot rename the temporary file over it: " + errno_text(err));
        }
        s.state.store(slot_free);
    }
    // The rename itself reaches the disk with the folder's own fsync; the new file is
    // in place whatever this says, so it is not an error.
    if (int dir = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return Status::ok();
}

}  // namespace prcm
