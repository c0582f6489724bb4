// Output files (prcm/files.h): the old file or the whole new one, never a partial
// one, no temporary left behind, and nothing but regular files replaced.
#include <catch2/catch.hpp>

#include "prcm/files.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

using namespace prcm;

namespace {

// A fresh folder, removed with everything in it at the end.
class Folder {
public:
    Folder() {
        std::string templ = "/tmp/prcm-files-test-XXXXXX";
        REQUIRE(mkdtemp(templ.data()) != nullptr);
        path_ = templ;
    }
    ~Folder() {
        chmod(path_.c_str(), 0700);
        const std::string command = "rm -rf '" + path_ + "'";
        if (std::system(command.c_str()) != 0) WARN("could not remove " << path_);
    }
    std::string operator/(const std::string &name) const { return path_ + "/" + name; }
    const std::string &path() const { return path_; }
    // Every name in the folder, sorted.
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        if (DIR *d = opendir(path_.c_str())) {
            while (dirent *e = readdir(d)) {
                const std::string n = e->d_name;
                if (n != "." && n != "..") out.push_back(n);
            }
            closedir(d);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

private:
    std::string path_;
};

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void put(const std::string &path, const std::string &bytes) { std::ofstream(path, std::ios::binary) << bytes; }

mode_t mode_of(const std::string &path) {
    struct stat st;
    REQUIRE(stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// Runs `body` in a child process and returns its exit status (-1: killed by a signal).
template <typename F>
int in_child(F body) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) _exit(body());
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// RLIMIT_FSIZE with SIGXFSZ ignored: a write past `bytes` fails with EFBIG, as a full
// disk fails with ENOSPC; restored on leaving the scope.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        REQUIRE(getrlimit(RLIMIT_FSIZE, &old_) == 0);
        old_handler_ = signal(SIGXFSZ, SIG_IGN);
        rlimit lower = old_;
        lower.rlim_cur = bytes;
        REQUIRE(setrlimit(RLIMIT_FSIZE, &lower) == 0);
    }
    ~FileSizeLimit() {
        setrlimit(RLIMIT_FSIZE, &old_);
        signal(SIGXFSZ, old_handler_);
    }

private:
    rlimit old_;
    void (*old_handler_)(int);
};

}  // namespace

TEST_CASE("files: a new file has the whole content, the mode open() gives it, and no temporary stays", "[files]") {
    Folder dir;
    const mode_t old_mask = umask(027);
    const Status s = write_file_atomically(dir / "out.json", "{\"a\": 1}\n");
    umask(old_mask);
    REQUIRE(s);
    CHECK(read_file(dir / "out.json") == "{\"a\": 1}\n");
    CHECK(mode_of(dir / "out.json") == 0640);  // 0666 & ~027, not mkstemp's 0600
    CHECK(dir.names() == std::vector<std::string>{"out.json"});
}

TEST_CASE("files: replacing a file keeps its permission bits", "[files]") {
    Folder dir;
    put(dir / "out.csv", "old\n");
    REQUIRE(chmod((dir / "out.csv").c_str(), 0754) == 0);
    REQUIRE(write_file_atomically(dir / "out.csv", "new\n"));
    CHECK(read_file(dir / "out.csv") == "new\n");
    CHECK(mode_of(dir / "out.csv") == 0754);
    CHECK(dir.names() == std::vector<std::string>{"out.csv"});
}

TEST_CASE("files: a 250-byte file name still leaves room for the temporary", "[files]") {
    Folder dir;
    const std::string name = std::string(245, 'r') + ".json";
    REQUIRE(name.size() == 250);
    const Status s = write_file_atomically(dir / name, "[]\n");
    INFO(s.message());
    REQUIRE(s);
    CHECK(read_file(dir / name) == "[]\n");
    CHECK(dir.names() == std::vector<std::string>{name});
    // A long name of multi-byte characters is cut at a character's boundary.
    const std::string wide = std::string(60, 'x') + "\xc3\xa9\xc3\xa9\xc3\xa9.npy";
    REQUIRE(write_file_atomically(dir / wide, "1"));
    CHECK(read_file(dir / wide) == "1");
}

TEST_CASE("files: a write error (a full disk) keeps the old file and leaves no temporary", "[files]") {
    Folder dir;
    put(dir / "y.npy", "the old content\n");
    Status s = Status::ok();
    {
        FileSizeLimit limit(4096);
        s = write_file_atomically(dir / "y.npy", std::string(100000, 'x'));
    }
    INFO(s.message());
    CHECK(s.kind() == ErrorKind::failed);
    CHECK(contains(s.message(), dir / "y.npy"));
    CHECK(contains(s.message(), std::strerror(EFBIG)));
    CHECK(read_file(dir / "y.npy") == "the old content\n");
    CHECK(dir.names() == std::vector<std::string>{"y.npy"});
}

TEST_CASE("files: remove_temporary_files_now, from a signal handler, removes the file being written", "[files]") {
    Folder dir;
    // SIGXFSZ arrives inside write() while the temporary is live: the handler stands
    // for the CLI's SIGINT handler.
    const int rc = in_child([&] {
        signal(SIGXFSZ, [](int) {
            remove_temporary_files_now();
            _exit(42);
        });
        rlimit small;
        getrlimit(RLIMIT_FSIZE, &small);
        small.rlim_cur = 4096;
        setrlimit(RLIMIT_FSIZE, &small);
        write_file_atomically(dir / "big.npy", std::string(100000, 'x'));
        return 0;
    });
    CHECK(rc == 42);
    CHECK(dir.names().empty());
}

TEST_CASE("files: two writers at once leave one whole file", "[files]") {
    Folder dir;
    const std::string a(1 << 18, 'a'), b(1 << 18, 'b');
    const std::string path = dir / "same.json";
    std::vector<Status> results(2, Status::ok());
    for (int round = 0; round < 10; round++) {
        std::thread first([&] { results[0] = write_file_atomically(path, a); });
        std::thread second([&] { results[1] = write_file_atomically(path, b); });
        first.join();
        second.join();
        REQUIRE(results[0]);
        REQUIRE(results[1]);
        const std::string got = read_file(path);
        REQUIRE((got == a || got == b));
    }
    CHECK(dir.names() == std::vector<std::string>{"same.json"});
}

TEST_CASE("files: a symbolic link, a FIFO, a device or a folder is refused, and left as it is", "[files]") {
    Folder dir;
    put(dir / "real.json", "real\n");
    REQUIRE(symlink((dir / "real.json").c_str(), (dir / "link.json").c_str()) == 0);
    REQUIRE(mkfifo((dir / "fifo").c_str(), 0644) == 0);
    REQUIRE(mkdir((dir / "folder").c_str(), 0755) == 0);
    for (const std::string &target : {dir / "link.json", dir / "fifo", dir / "folder", std::string("/dev/null")}) {
        INFO(target);
        const Status checked = check_output_path(target);
        CHECK(checked.kind() == ErrorKind::invalid);
        CHECK(contains(checked.message(), target));
        const Status written = write_file_atomically(target, "new\n");
        CHECK(written.kind() == ErrorKind::invalid);
        CHECK(contains(written.message(), "regular file"));
    }
    CHECK(contains(check_output_path(dir / "link.json").message(), "symbolic link"));
    CHECK(contains(check_output_path(dir / "fifo").message(), "FIFO"));
    CHECK(contains(check_output_path(dir / "folder").message(), "folder"));
    CHECK(contains(check_output_path(dir / "folder/").message(), "folder"));
    struct stat st;
    REQUIRE(lstat((dir / "link.json").c_str(), &st) == 0);
    CHECK(S_ISLNK(st.st_mode));
    CHECK(read_file(dir / "real.json") == "real\n");
    CHECK(dir.names() == std::vector<std::string>{"fifo", "folder", "link.json", "real.json"});
}

TEST_CASE("files: check_output_path refuses an input of the same command, however it is spelled", "[files]") {
    Folder dir;
    put(dir / "x.npy", "input");
    REQUIRE(link((dir / "x.npy").c_str(), (dir / "hard.npy").c_str()) == 0);
    REQUIRE(symlink((dir / "x.npy").c_str(), (dir / "soft.npy").c_str()) == 0);
    const std::vector<std::string> inputs{dir / "x.npy", dir / "w.safetensors"};
    CHECK(check_output_path(dir / "x.npy", inputs).kind() == ErrorKind::invalid);
    CHECK(check_output_path(dir.path() + "/./x.npy", inputs).kind() == ErrorKind::invalid);
    CHECK(check_output_path(dir.path() + "//x.npy", inputs).kind() == ErrorKind::invalid);
    const Status hard = check_output_path(dir / "hard.npy", inputs);
    CHECK(hard.kind() == ErrorKind::invalid);
    CHECK(contains(hard.message(), "same file as the input"));
    // An output that is a symlink to the input is refused as a symlink.
    CHECK(check_output_path(dir / "soft.npy", inputs).kind() == ErrorKind::invalid);
    // An input named through a symlink is still the same file.
    CHECK(check_output_path(dir / "x.npy", {dir / "soft.npy"}).kind() == ErrorKind::invalid);
    CHECK(check_output_path(dir / "y.npy", inputs));
    CHECK(check_output_path(dir / "hard.npy", {dir / "w.safetensors"}));
    CHECK(read_file(dir / "x.npy") == "input");
}

TEST_CASE("files: check_output_path names a missing folder and a file standing for one", "[files]") {
    Folder dir;
    const Status missing = check_output_path(dir / "no/such/out.csv");
    CHECK(missing.kind() == ErrorKind::invalid);
    CHECK(contains(missing.message(), "does not exist"));
    put(dir / "file", "");
    CHECK(check_output_path(dir / "file/out.csv").kind() == ErrorKind::invalid);
    CHECK(check_output_path("").kind() == ErrorKind::invalid);
    CHECK(check_output_path(dir / "fine.csv"));
    const Status written = write_file_atomically(dir / "no/out.csv", "x");
    CHECK(written.kind() == ErrorKind::failed);
    CHECK(contains(written.message(), "No such file or directory"));
}

TEST_CASE("files: a read-only folder is refused before the work and fails the write", "[files]") {
    Folder dir;
    REQUIRE(mkdir((dir / "ro").c_str(), 0755) == 0);
    put(dir / "ro/old.json", "old\n");
    REQUIRE(chmod((dir / "ro").c_str(), 0555) == 0);
    REQUIRE(chmod(dir.path().c_str(), 0755) == 0);  // so that nobody can reach ro/
    // Root writes anywhere: check as an ordinary user, in a child process.
    const int rc = in_child([&] {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 10;
        const Status checked = check_output_path(dir / "ro/old.json");
        if (checked.kind() != ErrorKind::invalid || !contains(checked.message(), "not writable")) return 11;
        const Status written = write_file_atomically(dir / "ro/old.json", "new\n");
        if (written.kind() != ErrorKind::failed || !contains(written.message(), std::strerror(EACCES))) return 12;
        return 0;
    });
    CHECK(rc == 0);
    CHECK(read_file(dir / "ro/old.json") == "old\n");
}
