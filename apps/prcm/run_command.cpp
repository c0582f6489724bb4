// `prcm run`: a block on real weights and data. Weights are a safetensors file
// under the block's PyTorch state_dict names; input and output are float32 .npy.
#include "experiments.h"

#include "prcm/io.h"
#include "prcm/run.h"

#include <iostream>
#include <optional>

namespace prcm::cli {

namespace {

// A flag the user gave that the weights imply must agree with them.
std::string contradiction(const ModuleSpec &spec, const ProblemOptions &o, const HyperParams &implied) {
    for (const HyperParamInfo &h : hyper_param_table()) {
        const int given = o.hyper.*h.field;
        if (h.from_weights && given != kNotGiven && (spec.uses & h.use) && given != implied.*h.field) {
            return std::string(h.flag) + " " + std::to_string(given) + " contradicts the weights, which imply " +
                   std::to_string(implied.*h.field);
        }
    }
    return "";
}

}  // namespace

int run_run(const RunOptions &r) {
    const ProblemOptions &o = r.problem;
    Problem p;
    ProblemOptions shapeless = o;
    shapeless.shape = "1,1,1,1";  // the input file gives the shape
    if (Status s = make_problem(shapeless, &p); !s) return report_error("run", s);
    // Before any work: an output that would replace an input, or that cannot be
    // written, is refused now.
    if (Status s =
            check_outputs({r.output, r.timing.repeat > 0 ? r.json_path : "", r.timing.repeat > 0 ? r.csv_path : ""},
                          {r.input, r.weights});
        !s) {
        return report_error("run", s);
    }
    const Module &module = *p.module;
    const ModuleSpec &spec = *module.spec;
    Tensor input;
    Weights weights;
    if (Status s = load_npy(r.input, &input); !s) return report_error("run", s.prefixed("input "));
    if (Status s = load_safetensors(r.weights, &weights); !s) return report_error("run", s.prefixed("weights "));
    if (Status s = check_input(spec, input); !s) return report_error("run", s.prefixed(printable(r.input) + ": "));
    const int channels = module_channels(spec, torch_shape(input), weights);
    HyperParams hp = p.hp;
    if (Status s = check_weights(spec, channels, weights, &hp); !s) {
        return report_error("run", s.prefixed(printable(r.weights) + ": "));
    }
    if (std::string err = contradiction(spec, o, hp); !err.empty()) return report_error("run", Status::error(err));
    Tensor output;
    if (Status s = make_tensor_checked(module_output_shape(spec, torch_shape(input), channels, hp), &output); !s) {
        return report_error("run", s.prefixed("the output: "));
    }
    // Timed (--repeat) beside the copy of the input, as every timing is; the row is
    // written once the run is checked (--verify) or known unchecked.
    std::optional<ResultRow> timed;
    if (r.timing.repeat > 0) {
        TimingOptions t = r.timing;
        resolve_protocol(p.device, &t);
        if (t.threads > 0) set_cpu_threads(t.threads);
        PreparedCall call;
        Stats stats, copy;
        Status s = prepare_call(module, p.device, input, weights, output, &call, &hp);
        if (s) s = time_prepared(call, input, output, t, &stats, &copy);
        if (!s) return report_error("run", s);
        std::cout << "timed " << t.repeat << " calls after " << t.warmup << " warm-up: median "
                  << format_ms(stats.median) << " ms, mean " << format_ms(stats.mean) << " ms, min "
                  << format_ms(stats.min) << " ms; the copy of the input " << format_ms(copy.median) << " ms\n";
        timed.emplace();
        timed->module = &module;
        timed->block = spec.title;
        timed->problem = p;
        timed->problem.shape = torch_shape(input);
        timed->problem.hp = hp;
        timed->seeded = false;
        timed->verdict = "NOT CHECKED";
        timed->warmup = t.warmup;
        timed->repeat = t.repeat;
        timed->latency = stats;
        timed->copy = copy;
        timed->params = parameter_count(spec, channels, hp);
    }
    if (Status s = run_module(module, p.device, input, weights, output, &hp); !s) return report_error("run", s);
    if (r.verify) {
        const Comparison c = compare(output, spec.reference(input, weights, hp));
        std::cout << verdict_name(c.verdict) << "  " << spec.title << " on " << device_name(p.device)
                  << " against the reference: max abs err " << format_sci(c.max_abs) << "\n";
        std::cout << failure_details({c, ""}, "    ");
        if (timed) {
            timed->verdict = verdict_name(c.verdict);
            timed->max_abs_err = c.max_abs;
        }
        if (c.verdict == Verdict::failed) return exit_verification_failed;
    }
    if (timed) {
        const nlohmann::json doc = results_json(context_json({p.device}, r.timing.threads),
                                                std::vector<nlohmann::json>{result_row_json(*timed)}, {}, {});
        if (Status s = write_results(doc, r.json_path, r.csv_path); !s) return report_error("run", s);
    }
    if (Status s = save_npy(r.output, output); !s) return report_error("run", s.prefixed("output "));
    std::cout << "wrote " << printable(r.output) << " " << shape_string(torch_shape(output)) << " (" << spec.title
              << hyper_flags(spec, hp) << ", " << device_name(p.device) << ")\n";
    return exit_ok;
}

}  // namespace prcm::cli
