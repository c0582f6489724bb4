// The tuner's parts (apps/prcm/tune/): the knob space it samples, the runner's
// verdict on a candidate that is wrong, the choice of winners, the record file.
#include "test_support.h"

#include "prcm/files.h"
#include "prcm/tune/builder.h"
#include "prcm/tune/knob_space.h"
#include "prcm/tune/record.h"
#include "prcm/tune/runner.h"

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

using namespace prcm;
using namespace prcm::tune;

namespace {

std::vector<std::string> patterns() {
    std::vector<std::string> out;
    for (const KnobInfo &k : knob_table()) {
        const std::string p = k.name.substr(0, k.name.find('.'));
        if (out.empty() || out.back() != p) out.push_back(p);
    }
    return out;
}

// The hand knobs of a pattern on the family it is scheduled for.
std::string hand_knobs(const std::string &pattern) {
    const bool gpu = pattern.rfind("gpu_", 0) == 0;
    return format_knobs(default_knobs(gpu ? TargetFamily::cuda : TargetFamily::avx512, 16), pattern);
}

const KnobInfo &info(const std::string &name) {
    for (const KnobInfo &k : knob_table())
        if (k.name == name) return k;
    FAIL("no knob " << name);
    return knob_table().front();
}

// Every value a knob of `c` holds is within its range.
void check_in_range(const KnobValues &c) {
    for (const auto &[name, value] : c) {
        const KnobInfo &k = info(name);
        if (k.list) continue;
        const int v = std::stoi(value);
        INFO(name << " = " << v);
        CHECK(v >= k.min);
        CHECK(v <= k.max);
    }
}

// A library that returns at once without writing its output: the fastest there is, and wrong.
int does_nothing(void **) { return 0; }

}  // namespace

TEST_CASE("tune: every knob's search range lies within its legal range", "[tune]") {
    for (const KnobInfo &k : knob_table()) {
        INFO(k.name);
        if (k.search_hi == 0) continue;
        CHECK(k.search_lo >= 1);
        CHECK(k.search_lo <= k.search_hi);
        CHECK(k.search_lo >= k.min);
        CHECK(k.search_hi <= k.max);
        if (k.search_zero) CHECK(k.min <= 0);
    }
}

TEST_CASE("tune: the sampler and the local moves stay inside each knob's legal range", "[tune]") {
    std::mt19937_64 rng(7);
    for (const std::string &pattern : patterns()) {
        INFO(pattern);
        const KnobSpace space(pattern, hand_knobs(pattern));
        REQUIRE(!space.axes().empty());
        REQUIRE(space.legal(space.hand()));
        // Each axis holds the hand value, and only values of the knob's range.
        for (const auto &[name, values] : space.axes()) {
            CHECK(std::count(values.begin(), values.end(), std::stoi(space.hand().at(name))) == 1);
            for (int v : values) CHECK((v >= info(name).min && v <= info(name).max));
        }
        KnobValues from = space.hand();
        std::set<std::string> distinct;
        for (int i = 0; i < 300; i++) {
            const KnobValues sampled = space.sample(rng);
            REQUIRE(!sampled.empty());
            CHECK(sampled.size() == space.hand().size());  // every knob of the pattern, none else
            check_in_range(sampled);
            std::string why;
            CHECK(space.legal(sampled, &why));
            const KnobValues moved = space.neighbour(from, rng);
            REQUIRE(!moved.empty());
            check_in_range(moved);
            CHECK(space.legal(moved));
            CHECK(moved != from);
            from = moved;
            distinct.insert(format_knob_values(sampled));
        }
        size_t space_size = 1;
        for (const auto &axis : space.axes()) space_size = std::min<size_t>(space_size * axis.second.size(), 1000);
        CHECK(distinct.size() >= std::min<size_t>(space_size * 3 / 4, 100));  // the draws cover the space
    }
}

TEST_CASE("tune: a knob string reads back as written", "[tune]") {
    const std::string hand = hand_knobs("bottleneck");
    CHECK(format_knob_values(parse_knob_values(hand)) == hand);
    CHECK(parse_knob_values("").empty());
}

TEST_CASE("tune: shape classes follow the hand schedule's thresholds", "[tune]") {
    const Module *prcm = find_module("prcm");
    REQUIRE(prcm);
    const KnobSpace space("modulator", hand_knobs("modulator"));  // serial up to 32768 elements, 16 lanes
    CHECK(shape_class(space, make_problem(*prcm, Device::cpu, {1, 64, 64, 64})) == "parallel");
    CHECK(shape_class(space, make_problem(*prcm, Device::cpu, {1, 8, 16, 16})) == "serial");
    CHECK(shape_class(space, make_problem(*prcm, Device::cpu, {1, 64, 8, 8})) == "narrow serial");
    CHECK(shape_class(KnobSpace("gpu_modulator", hand_knobs("gpu_modulator")),
                      make_problem(*prcm, Device::cuda, {1, 64, 64, 64})) == "gpu");
}

TEST_CASE("tune: the same code builds to the same hash, other code to another, and each loads beside the others",
          "[tune][builder]") {
    char dir_template[] = "/tmp/prcm-tune-build-XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    LocalBuilder builder(default_generator_path(), default_linker(), dir_template, 2);
    const std::string target = cpu_target_selected() + "-no_runtime";
    auto request = [&](const std::string &knobs, const std::string &label) {
        return BuildRequest{"prcm", target, knobs, "prcm_tune_candidate", label};
    };
    const BuildResult hand = builder.build({request("", "hand")}).front();
    REQUIRE(hand.ok);
    REQUIRE(hand.code.size() == 16);
    // The hand knobs given explicitly, and the hand knobs with one changed.
    KnobValues other = parse_knob_values(hand.knobs);
    REQUIRE(other.count("modulator.lanes"));
    other["modulator.lanes"] = other["modulator.lanes"] == "8" ? "16" : "8";
    const std::vector<BuildRequest> requests{request(hand.knobs, "explicit"),
                                             request(format_knob_values(other), "other")};
    const std::vector<BuildResult> built = builder.build(requests);
    REQUIRE(built[0].ok);
    REQUIRE(built[1].ok);
    CHECK(built[0].code == hand.code);
    CHECK(built[1].code != hand.code);
    // One function name in three libraries: each library runs its own code.
    const Module *prcm = find_module("prcm");
    REQUIRE(prcm);
    const LoadedLibrary first = load_built(*prcm, Device::cpu, request("", "hand"), hand);
    const LoadedLibrary second = load_built(*prcm, Device::cpu, requests[0], built[0]);
    const LoadedLibrary third = load_built(*prcm, Device::cpu, requests[1], built[1]);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    REQUIRE(third.ok());
    CHECK(first.module.library(Device::cpu)->argv != third.module.library(Device::cpu)->argv);
    cli::TimingOptions timing;
    timing.warmup = 1;
    timing.repeat = 3;
    LocalRunner runner(timing);
    const auto outcomes = runner.run(first, {&second, &third}, {make_problem(*prcm, Device::cpu, {2, 5, 7, 9})});
    CHECK(outcomes[0][0].verified);
    CHECK(outcomes[1][0].verified);
    std::error_code ec;
    std::filesystem::remove_all(dir_template, ec);
}

TEST_CASE("tune: a wrong candidate is rejected, however fast, and never wins", "[tune]") {
    const Module *prcm = find_module("prcm");
    REQUIRE(prcm);
    const Library *shipped = prcm->library(Device::cpu);
    REQUIRE(shipped);
    const LoadedLibrary hand = wrap_library(*prcm, *shipped);
    const LoadedLibrary right = wrap_library(*prcm, *shipped);
    const LoadedLibrary wrong =
        wrap_library(*prcm, Library{Device::cpu, "does_nothing", does_nothing, shipped->metadata});
    cli::TimingOptions timing;
    timing.warmup = 2;
    timing.repeat = 5;
    LocalRunner runner(timing);
    const std::vector<Problem> problems{make_problem(*prcm, Device::cpu, {1, 16, 8, 8}),
                                        make_problem(*prcm, Device::cpu, {2, 5, 7, 9})};
    const auto outcomes = runner.run(hand, {&wrong, &right}, problems);
    REQUIRE(outcomes.size() == 2);
    for (size_t p = 0; p < problems.size(); p++) {
        CHECK_FALSE(outcomes[0][p].verified);
        CHECK(outcomes[0][p].median_ms == 0);  // never timed
        CHECK(!outcomes[0][p].error.empty());
        CHECK(outcomes[1][p].verified);
        CHECK(outcomes[1][p].median_ms > 0);
        CHECK(outcomes[1][p].hand_median_ms > 0);
    }

    // The choice of winners, given a rejected trial that looks faster and confirmed than any.
    auto trial = [](int id, const std::string &status, double median, double confirmed) {
        Trial t;
        t.id = id;
        t.module = "prcm";
        t.device = "cpu";
        t.target = "x86-64-linux";
        t.status = status;
        t.knobs = "modulator.lanes:" + std::to_string(4 << id);
        ProblemResult r;
        r.problem = "1x16x8x8 --num-basis 8";
        r.shape = {1, 16, 8, 8};
        r.shape_class = "serial";
        r.verified = status == "verified";
        r.median_ms = median;
        r.hand_median_ms = 1.0;
        t.results.push_back(r);
        Confirmation c;
        c.grid_checked = 216;
        c.rounds = 3;
        c.ratio = confirmed;
        c.class_ratios["serial"] = confirmed;
        c.round_ratios = {confirmed, confirmed, confirmed};
        t.confirmation = c;
        return t;
    };
    Record record;
    record.trials.push_back(trial(1, "rejected", 0.01, 0.01));
    record.trials.push_back(trial(2, "verified", 0.9, 0.9));
    record.trials.push_back(trial(3, "verified", 0.5, 0.99));  // screened fast, not confirmed faster than noise
    const std::vector<Applied> applied_knobs = applied(record);
    REQUIRE(applied_knobs.size() == 1);
    CHECK(applied_knobs[0].trial == 2);
    const std::vector<ClassWinner> winners = class_winners(record);
    REQUIRE(winners.size() == 1);
    REQUIRE(winners[0].trial);
    CHECK(winners[0].trial->id == 2);
    // One round in which it was not faster takes a trial out, whatever its median.
    record.trials[1].confirmation->round_ratios[1] = 1.01;
    CHECK(applied(record).empty());
    record.trials[1].confirmation->round_ratios[1] = 0.9;
    CHECK(applied(record).size() == 1);
    // So does one problem slower in the median.
    record.trials[1].confirmation->problem_ratios = {0.8, 1.02};
    CHECK(applied(record).empty());
    record.trials[1].confirmation->problem_ratios = {0.8, 0.99};
    CHECK(applied(record).size() == 1);
    // So does a grid failure, however fast it was confirmed.
    record.trials[1].confirmation->grid_failures.push_back("prcm verify ...: FAILED");
    CHECK(applied(record).empty());
    CHECK(class_winners(record)[0].trial == nullptr);
}

TEST_CASE("tune: a record reads back as written, and a corrupt one is refused with where it is wrong", "[tune]") {
    char dir_template[] = "/tmp/prcm-tune-test-XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    const std::string dir = dir_template, path = dir + "/record.json";
    Record record;
    Trial t;
    t.id = 4;
    t.module = "se";
    t.device = "cpu";
    t.target = "x86-64-linux";
    t.device_model = "a CPU";
    t.threads = 2;
    t.pattern = "modulator";
    t.knobs = hand_knobs("modulator");
    t.origin = "random";
    t.status = "verified";
    t.time = "2026-12-01T00:00:00Z";
    t.code = "0123456789abcdef";
    t.results.push_back({"1x64x64x64 --reduction 4", {1, 64, 64, 64}, "parallel", true, "", 1e-7, 0.5, 0.6});
    Confirmation c;
    c.grid_checked = 216;
    c.rounds = 2;
    c.ratio = 0.8;
    c.class_ratios["parallel"] = 0.8;
    c.round_ratios = {0.79, 0.81};
    c.problem_ratios = {0.8};
    t.confirmation = c;
    record.trials.push_back(t);
    REQUIRE(write_record(path, record));
    Record back;
    REQUIRE(read_record(path, &back));
    REQUIRE(back.trials.size() == 1);
    CHECK(back.trials[0].search_key() == t.search_key());
    CHECK(back.trials[0].knobs == t.knobs);
    CHECK(back.trials[0].ratio() == Approx(0.5 / 0.6));
    CHECK(back.trials[0].code == t.code);
    REQUIRE(back.trials[0].confirmation);
    CHECK(back.trials[0].confirmation->round_ratios == c.round_ratios);
    CHECK(back.trials[0].confirmation->problem_ratios == c.problem_ratios);
    CHECK(back.trials[0].confirmation->wins());
    CHECK(back.next_id() == 5);

    auto refused = [&](const std::string &text, const std::string &expected) {
        {
            std::ofstream out(path, std::ios::trunc);
            out << text;
        }
        Record r;
        const Status s = read_record(path, &r);
        INFO(text);
        REQUIRE_FALSE(s);
        CHECK(s.kind() == ErrorKind::invalid);
        CHECK_THAT(s.message(), Catch::Contains(path) && Catch::Contains(expected));
    };
    refused("{\"format\": \"prcm-tuning-record\", \"version\": 1, \"trials\": [", "not valid JSON");
    refused("{\"trials\": []}", "not a tuning record");
    refused("{\"format\": \"prcm-tuning-record\", \"version\": 2, \"trials\": []}", "another version");
    refused("{\"format\": \"prcm-tuning-record\", \"version\": 1, \"trials\": [{\"id\": 1}]}",
            "trial 1: 'module' is missing");
    refused("{\"format\": \"prcm-tuning-record\", \"version\": 1, \"trials\": [{\"id\": \"one\"}]}",
            "trial 1: 'id' is not a number");
    std::remove(path.c_str());
    rmdir(dir.c_str());
}
