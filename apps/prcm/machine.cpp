#include "machine.h"

#include "prcm/run.h"

#include "prcm_build_info.h"  // PRCM_GIT_COMMIT, PRCM_GIT_DIRTY (cmake/PrcmBuildInfo.cmake)

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <thread>

namespace prcm::cli {

namespace {
std::string &command_line() {
    static std::string line = "prcm";
    return line;
}
}  // namespace

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            auto colon = line.find(':');
            if (colon != std::string::npos) return line.substr(colon + 2);
        }
    }
    return "unknown CPU";
}

int default_threads() {
    if (const char *env = std::getenv("HL_NUM_THREADS"); env && std::atoi(env) > 0) return std::atoi(env);
    return static_cast<int>(std::thread::hardware_concurrency());
}

std::string machine_line(Device device, int threads) {
    const int used = threads > 0 ? threads : default_threads();
    return cpu_model() + ", " + std::to_string(used) + " thread" + (used == 1 ? "" : "s") +
           ", Halide " PRCM_HALIDE_VERSION ", device " + device_name(device);
}

std::string schedules_in_use(Device device) {
    std::string tuned, record;
    for (const Module &m : modules()) {
        const Library *lib = m.library(device);
        if (!lib || !tuned_here(*lib)) continue;
        tuned += (tuned.empty() ? "" : ", ") + std::string(m.spec->name);
        record = lib->tuning.record;
    }
    return tuned.empty() ? std::string("hand") : "hand, but tuned by " + record + ": " + tuned;
}

void set_command_line(int argc, char **argv) {
    std::string line = "prcm";
    for (int i = 1; i < argc; i++) line += std::string(" ") + argv[i];
    command_line() = line;
}

nlohmann::json context_json(const std::vector<Device> &devices, int threads) {
    char date[32] = "";
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    if (gmtime_r(&now, &utc)) std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::vector<std::string> built, measured;
    for (Device d : built_devices()) built.push_back(device_name(d));
    nlohmann::json schedules = nlohmann::json::object();
    for (Device d : devices) {
        measured.push_back(device_name(d));
        schedules[device_name(d)] = schedules_in_use(d);
    }
    return {{"date", date},
            {"prcm_version", PRCM_VERSION},
            {"git_commit", PRCM_GIT_COMMIT},
            {"git_dirty", PRCM_GIT_DIRTY != 0},
            {"build_type", PRCM_BUILD_TYPE},
            {"library_build_type", std::string(PRCM_BUILD_TYPE) == "Debug" ? "debug" : "release"},
            {"halide_version", PRCM_HALIDE_VERSION},
            {"host_name", host},
            {"cpu", cpu_model()},
            {"num_cpus", static_cast<int>(std::thread::hardware_concurrency())},
            {"cpu_target", cpu_target_selected()},
            {"cpu_target_forced", cpu_target_forced()},
            {"threads", threads > 0 ? threads : default_threads()},
            {"devices", measured},
            {"devices_built", built},
            {"schedules", schedules},
            {"command", command_line()}};
}

}  // namespace prcm::cli
