// Every number a hand schedule chooses, as data. One struct per schedule pattern,
// its fields the tile and strip sizes, thresholds, lanes and block shapes; one
// default per target family (default_knobs, schedules/knobs.cpp, the only place
// that looks at the Target); and an override string per library, which the
// generators take as their `knobs` GeneratorParam (PRCM_KNOBS sets it from the
// build's command line). The schedules read nothing else, so a tuner can search
// these values without touching C++. This header needs no Halide.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace Halide {
struct Target;
}

namespace prcm {

// ---- CPU patterns ------------------------------------------------------------

// A pass over whole (c, n) planes (the elementwise kernels, the copy floor, the gap
// kernel's plane sums): vectorized along W, parallel over tasks of whole planes.
struct PlanePassKnobs {
    int lanes;            // floats per vector along W
    int serial_elements;  // a call of at most this many elements stays on one core
    int task_elements;    // a parallel task covers at least this many elements
};

// A per-sample vector (k, n) of a few hundred operations: one core, vectorized along k.
struct VectorKnobs {
    int lanes;
};

// Every channel modulator: pool, per-sample vectors, output pass, a sample at a time.
// The pool and the output pass share the task split, so that each core reads back
// the channels it pooled.
struct ModulatorKnobs {
    int lanes;
    int serial_elements;
    int task_elements;
    int linear_rows;  // outputs of a linear stage summed at once (independent add chains)
};

// PRCM_AdaptivePool: the pool, two 1x1 convolutions on the pooled map, the interpolation.
struct AdaptivePoolKnobs {
    int lanes;
    int serial_elements;
    int task_elements;
    int conv_block;   // output channels a convolution accumulates at once
    int small_plane;  // planes of up to this many pixels: pooled across channels if narrower than a vector,
                      // interpolated a row of a group of channels at a time if no wider
};

// The inverted bottleneck, one fused pass of register tiles over strips of rows.
struct BottleneckKnobs {
    int lanes;                         // a wide plane's tile is one vector along x
    int tile_rows;                     // rows of a wide plane's register tile
    int tile_channels;                 // output channels of a wide plane's register tile
    int dw_rows;                       // rows of a wide plane's depthwise tile (a multiple of tile_rows, <= strip_rows)
    int strip_rows;                    // rows per parallel task at most
    int serial_macs;                   // a call of at most this many multiply-adds stays on one core
    int channel_split_macs;            // a sample of one strip splits its channel tiles across cores above this
    int border_lanes;                  // vector width of the staged, zero-padded input
    int unrolled_kernel_size;          // k whose depthwise taps and padded rows are unrolled (0: none)
    std::vector<int> unrolled_widths;  // more plane widths whose padded rows are unrolled at that k
    int line_copy_min_width;  // planes this wide or wider (not unrolled) stage a 64-byte line per vector (0: none)
    int prefetch_min_width;   // planes this wide or wider prefetch the next channel as they stage (0: none)
    int tall_dw_rows;  // rows of a wide plane's depthwise tile and strip where H is a multiple of it, twice it or more (0: none)
    int half_tail_tiles;  // 1: on 16 lanes, planes past a vector whose last vector would be half empty take half-vector tiles
    // The flat twin's second register tile (FlatBottleneckStages::wide), which a call takes
    // where it computes fewer pixels than tile_rows' would (0: none).
    int flat_wide_tile_rows;      // vectors of consecutive pixels
    int flat_wide_tile_channels;  // by output channels
    // The channels twin (ChannelsBottleneckStages): a tile's pixels, and its register tiles.
    int channels_tile;          // pixels whose hidden activations a tile keeps (at least the two below)
    int channels_tile_pixels;   // pixels of a 1x1 register tile
    int channels_tile_vectors;  // by channel vectors
    int channels_dw_pixels;     // pixels of a depthwise register tile, by one channel vector
};

// ---- GPU patterns (only portable directives: CUDA and OpenCL alike) -----------

struct GpuPlanePassKnobs {
    int block_width, block_height;  // a block is a tile of the plane, one thread per element
};

struct GpuVectorKnobs {
    int threads;  // threads per block along k; also a plane sum's lanes
};

// Kernel 1 of a pool (every modulator's and the gap kernel's): partial sums of
// strips of rows, one block per (strip, c, n), pool_lanes x pool_row_threads threads.
struct GpuPoolKnobs {
    int pool_lanes;        // threads along x (adjacent x: coalesced reads)
    int pool_row_threads;  // threads along the rows of a strip
    int pool_strip_rows;   // rows of a strip: the plane's partial sums are ceil(H / this)
};

// The gap kernel: the pool, then a kernel that adds the partial sums up.
struct GpuPlaneSumKnobs {
    int pool_lanes, pool_row_threads, pool_strip_rows;
    int threads;  // threads per block of the finishing kernel, one per channel
};

// Every channel modulator: the pool, then one kernel that finishes it, computes the
// per-sample vectors per block and streams a strip of rows of one (c, n) plane.
struct GpuModulatorKnobs {
    int pool_lanes, pool_row_threads, pool_strip_rows;
    int block_width, block_height;  // threads of an output block along W and H
    int block_rows;                 // rows of a plane an output block streams
    int sample_macs_per_element;    // an output block takes enough channels that the per-sample
                                    // vectors it recomputes cost at most this many multiply-adds
                                    // per element it streams
};

// PRCM_AdaptivePool, three kernels: the bins, the two convolutions, the interpolation.
struct GpuAdaptivePoolKnobs {
    int pool_lanes;                 // threads of a bin's block along W
    int conv_threads;               // threads of a convolution block, one per channel
    int block_width, block_height;  // the output pass's tiles
};

struct GpuBottleneckKnobs {
    int tile_width, tile_height;  // pixels of a block
    int thread_pixels;            // adjacent pixels along W a thread computes (divides tile_width)
    int channel_groups;           // threads of a block along the channels
    int thread_channels;          // channels a thread computes at once, in each channel group
    int shared_bytes;             // shared memory a block's tile may take; beyond it, a tile of thread_pixels x 1
};

// Every pattern's knobs. A library's schedule reads one pattern (its `pattern`
// name below); an override naming another pattern is refused.
struct Knobs {
    PlanePassKnobs elementwise;  // scale, shift, affine, copy
    PlanePassKnobs plane_sum;    // gap
    VectorKnobs vector;          // basis_projection, linear, sigmoid
    ModulatorKnobs modulator;    // the PRCM and SE family
    AdaptivePoolKnobs adaptive_pool;
    BottleneckKnobs bottleneck;  // inverted_bottleneck, inverted_bottleneck_res
    GpuPlanePassKnobs gpu_elementwise;
    GpuPlaneSumKnobs gpu_plane_sum;
    GpuVectorKnobs gpu_vector;
    GpuModulatorKnobs gpu_modulator;
    GpuAdaptivePoolKnobs gpu_adaptive_pool;
    GpuBottleneckKnobs gpu_bottleneck;
};

// The families that have their own defaults; chosen from a Target in knobs.cpp.
enum class TargetFamily { avx512, avx2, x86_64, arm_neon, other_cpu, cuda, opencl, other_gpu };
const char *family_name(TargetFamily family);

TargetFamily target_family(const Halide::Target &target);

// The defaults of a family. `natural_lanes` is the target's natural float vector
// width, the CPU patterns' default lanes.
Knobs default_knobs(TargetFamily family, int natural_lanes);

// One knob: "<pattern>.<field>", what it means and the values it accepts.
struct KnobInfo {
    std::string name;  // "bottleneck.strip_rows"
    std::string meaning;
    int min, max;
    bool list;  // written as values joined by '/': "32/64"
    // What `prcm tune` tries besides the hand value: the powers of two from search_lo
    // to search_hi, and 0 where search_zero (0 turns a threshold off). search_hi == 0:
    // the knob is not searched. Always within [min, max] (a test checks).
    int search_lo = 0, search_hi = 0;
    bool search_zero = false;
};
const std::vector<KnobInfo> &knob_table();

// The knobs of one pattern, written as an override string with their values:
// "bottleneck.lanes:16,bottleneck.tile_rows:4,..." (a '/'-joined list for a list).
std::string format_knobs(const Knobs &knobs, const std::string &pattern);

// An override string as knob name -> written value, unchecked (apply_knob_overrides
// checks), and back in knob_table() order, so that equal sets are equal strings.
using KnobValues = std::map<std::string, std::string>;
KnobValues parse_knob_values(const std::string &overrides);
std::string format_knob_values(const KnobValues &values);

// Applies "<pattern>.<field>:<value>,..." (empty: nothing) to `knobs`. Every name
// must be a knob of `pattern`, every value within its range; on the first that is
// not, returns false with `error` naming it and the pattern's knobs.
bool apply_knob_overrides(Knobs &knobs, const std::string &pattern, const std::string &overrides, std::string *error);

// What a generator's schedule reads: the defaults of the target's family with the
// library's overrides applied; a bad override stops the build with its error.
// With PRCM_KNOBS_DESCRIBE set in the environment it also prints, on stderr,
// "prcm-knobs pattern=<pattern> knobs=<every knob of the pattern>": how `prcm tune`
// learns a library's pattern and hand knobs from the generator itself.
Knobs knobs_for(const Halide::Target &target, const std::string &pattern, const std::string &overrides);

// The overrides a library's build gives the code of `target`: a tuning record's
// knobs (`tuned_knobs`) when `target` is the one they were tuned for (`tuned_target`;
// the other targets of a multi-target library keep their defaults), then the user's
// own `overrides` (PRCM_KNOBS), which win where both set a knob.
std::string knob_overrides_for(const Halide::Target &target, const std::string &tuned_target,
                               const std::string &tuned_knobs, const std::string &overrides);

}  // namespace prcm
