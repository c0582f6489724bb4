// `prcm list`: the modules with their weights and defaults, the aliases, the CPU targets,
// devices and schedules built, and the tuned libraries.
#include "cli.h"

#include "prcm/run.h"

#include <iostream>

namespace prcm::cli {

int run_list() {
    std::cout << "Modules (weights as PyTorch state_dict keys, shapes at C=64 and the defaults shown):\n";
    for (const Module &m : modules()) {
        const ModuleSpec &spec = *m.spec;
        std::cout << "  " << spec.name << "  (" << spec.title << ")  " << spec.formula << "\n";
        std::cout << "      defaults:" << (spec.uses ? hyper_flags(spec, spec.defaults) : " none") << "\n";
        for (const WeightSpec &w : spec.weights(64, spec.defaults)) {
            std::cout << "      " << w.name << " " << shape_string(w.shape) << (w.parameter ? "" : "  (buffer)")
                      << "\n";
        }
        std::cout << "      parameters: " << format_count(parameter_count(spec, 64, spec.defaults)) << "\n";
    }
    if (!aliases().empty()) std::cout << "Aliases:\n";
    for (const Alias &a : aliases()) {
        std::cout << "  " << a.name << "  (" << a.title << ") = " << a.module->spec->name << "\n";
    }
    std::cout << "CPU targets built, best first (--cpu-target NAME runs one):\n";
    const std::string picked = cpu_target_picked();
    for (const std::string &t : cpu_targets()) {
        std::cout << "  " << t << ": "
                  << (t == picked      ? "the dispatch's pick here"
                      : cpu_can_run(t) ? "runs here"
                                       : "not on this CPU")
                  << "\n";
    }
    std::cout << "Devices built:\n";
    for (Device d : built_devices()) {
        Status s = device_available(d);
        std::cout << "  " << device_name(d) << ": " << (s ? "available" : "not available: " + s.message()) << "\n";
    }
    std::cout << "Schedules built (hand, the bottleneck's flat and channels twins, and the autoscheduled twins of "
                 "-DPRCM_AUTOSCHEDULERS):\n";
    for (Device d : built_devices()) {
        std::cout << "  " << device_name(d) << ":";
        for (const std::string &schedule : built_schedules(d)) {
            const std::string failed = join(modules_not_compiled(d, schedule));
            std::cout << " " << schedule << (failed.empty() ? "" : " (did not compile: " + failed + ")");
        }
        std::cout << "\n";
    }
    // A tuning record (-DPRCM_TUNING) replaces the hand knobs of the libraries it names.
    std::cout << "Tuned libraries (-DPRCM_TUNING; the others run the hand schedules' knobs):";
    bool any = false;
    for (const Module &m : modules()) {
        for (const Library &lib : m.libraries) {
            if (!lib.tuning.record) continue;
            std::cout << "\n  " << m.spec->name << " " << device_name(lib.device) << ": " << schedule_in_use(lib);
            any = true;
        }
    }
    std::cout << (any ? "\n" : " none\n");
    return 0;
}

}  // namespace prcm::cli
