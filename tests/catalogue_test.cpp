// The experiments' catalogue (experiments/catalogue.json, built into prcm): every block
// names a module of this build at settings it takes, and every experiment's blocks are
// blocks of the catalogue, so `bench all`, `params`, `tune --shapes` and peer_bench.py
// (which reads the same file) agree on what a label means.
#include "prcm/catalogue.h"

#include "test_support.h"

using namespace prcm;
using namespace prcm::cli;

TEST_CASE("the catalogue's blocks are modules of this build at settings they take", "[catalogue]") {
    REQUIRE(!catalogue_blocks().empty());
    for (const Block &b : catalogue_blocks()) {
        INFO(b.label);
        const Module *m = find_module(b.module);
        REQUIRE(m != nullptr);
        for (const auto &[field, value] : b.hyper) {
            bool taken = false;
            for (const HyperParamInfo &h : hyper_param_table())
                taken = taken || (h.field == field && (m->spec->uses & h.use));
            CHECK(taken);
            CHECK(value >= 1);
        }
        CHECK(find_block(b.label) == &b);  // labels are unique
    }
}

TEST_CASE("the catalogue's experiments are the notebooks' tables", "[catalogue]") {
    const std::vector<std::string> ids = experiment_ids();
    CHECK(ids == std::vector<std::string>{"params", "latency", "components", "channels", "expansion", "poolsize",
                                          "resolution", "basis", "batch"});
    for (const Experiment &e : all_experiments()) {
        INFO(e.id);
        CHECK(e.timed == !e.configs.empty());
        for (const Config &c : e.configs) {
            CHECK(find_module(c.module) != nullptr);
            CHECK(c.shape.size() == 4);
        }
    }
    // A sweep over a hyper-parameter applies it over the block's own setting.
    std::vector<Problem> problems;
    REQUIRE(experiment_problems("expansion", Device::cpu, &problems).is_ok());
    REQUIRE(problems.size() == 5);
    CHECK(problems[0].hp.expansion == 1);
    CHECK(problems[4].hp.expansion == 16);
    REQUIRE(experiment_problems("resolution", Device::cpu, &problems).is_ok());
    CHECK(problems.front().shape == TorchShape{1, 128, 4, 4});
    CHECK(problems.back().shape == TorchShape{1, 64, 256, 256});
    CHECK(experiment_problems("nope", Device::cpu, &problems).kind() == ErrorKind::invalid);
}
