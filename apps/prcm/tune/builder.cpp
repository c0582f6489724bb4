#include "builder.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char **environ;

namespace prcm::tune {

int run_logged(const std::vector<std::string> &args, const std::string &log) {
    std::vector<char *> argv;
    for (const std::string &a : args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid = 0;
    const int err = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        std::ofstream(log, std::ios::app) << "cannot run " << args[0] << ": " << std::strerror(err) << "\n";
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

std::string read_text(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The first line of a log that says what went wrong ("Error: ..." from Halide).
std::string first_error_line(const std::string &log) {
    std::istringstream in(log);
    std::string line, fallback;
    while (std::getline(in, line)) {
        if (line.rfind("prcm-knobs ", 0) == 0 || line.empty()) continue;
        if (line.find("rror") != std::string::npos) {
            std::string next;
            // Halide writes "Error:" on a line of its own, the message on the next.
            if (line == "Error:" && std::getline(in, next)) return next;
            return line;
        }
        if (fallback.empty()) fallback = line;
    }
    return fallback;
}

// FNV-1a over the object file.
std::string code_hash(const std::string &object) {
    const std::string bytes = read_text(object);
    if (bytes.empty()) return "";
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
    return text;
}

}  // namespace

std::string this_program() {
    char path[4096];
    const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    return n <= 0 ? std::string() : std::string(path, static_cast<size_t>(n));
}

std::string default_generator_path() {
    const std::string p = this_program();
    return (p.empty() ? std::string(".") : p.substr(0, p.rfind('/'))) + "/prcm_generators";
}

std::string default_linker() {
    if (const char *cxx = std::getenv("CXX"); cxx && *cxx) return cxx;
#ifdef PRCM_TUNE_CXX
    return PRCM_TUNE_CXX;
#else
    return "c++";
#endif
}

LocalBuilder::LocalBuilder(std::string generator_path, std::string linker, std::string work_dir, int jobs)
    : generator_path_(std::move(generator_path)),
      linker_(std::move(linker)),
      work_dir_(std::move(work_dir)),
      jobs_(std::max(1, jobs)) {
    // The generators say which pattern and knobs they used (schedules/knobs.h).
    setenv("PRCM_KNOBS_DESCRIBE", "1", 1);
}

BuildResult LocalBuilder::build_one(const BuildRequest &r) const {
    const auto start = std::chrono::steady_clock::now();
    BuildResult out;
    // A folder per request: the object files of one function name cannot share one.
    const std::string dir = work_dir_ + "/" + r.label;
    const std::string base = dir + "/" + r.function_name;
    const std::string log = dir + ".log";
    std::vector<std::string> generate = {
        generator_path_, "-g", r.generator, "-f", r.function_name, "-n",
        r.function_name, "-o", dir,         "-e", "object",        "target=" + r.target};
    if (!r.knobs.empty()) generate.push_back("knobs=" + r.knobs);
    int status = ::mkdir(dir.c_str(), 0777) == 0 ? run_logged(generate, log) : -1;
    if (status == 0) {
        out.code = code_hash(base + ".o");
        // -Bsymbolic: the library's entry points call its own function, whatever
        // else of that name the process has loaded.
        status = run_logged({linker_, "-shared", "-Wl,-Bsymbolic", "-o", base + ".so", base + ".o"}, log);
    }
    const std::string text = read_text(log);
    const size_t described = text.find("prcm-knobs pattern=");
    if (described != std::string::npos) {
        std::istringstream line(text.substr(described, text.find('\n', described) - described));
        std::string word;
        while (line >> word) {
            if (word.rfind("pattern=", 0) == 0) out.pattern = word.substr(8);
            if (word.rfind("knobs=", 0) == 0) out.knobs = word.substr(6);
        }
    }
    if (status == 0 && out.pattern.empty()) {
        out.error =
            "the generator did not say which schedule pattern it used (is " + generator_path_ + " this prcm's own?)";
    } else if (status != 0) {
        out.error = text.empty() ? "cannot make the folder " + dir
                                 : first_error_line(text);  // the log goes with the work folder
    } else {
        out.ok = true;
        out.library = base + ".so";
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

std::vector<BuildResult> LocalBuilder::build(const std::vector<BuildRequest> &requests) {
    std::vector<BuildResult> results(requests.size());
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < requests.size(); i = next++) results[i] = build_one(requests[i]);
    };
    std::vector<std::thread> threads;
    const size_t count = std::min<size_t>(static_cast<size_t>(jobs_), requests.size());
    for (size_t t = 0; t < count; t++) threads.emplace_back(worker);
    for (std::thread &t : threads) t.join();
    return results;
}

}  // namespace prcm::tune
