#include "schedules/knobs.h"

#include <charconv>
#include <set>

namespace prcm {

const char *family_name(TargetFamily family) {
    switch (family) {
        case TargetFamily::avx512: return "AVX-512";
        case TargetFamily::avx2: return "AVX2";
        case TargetFamily::x86_64: return "baseline x86-64";
        case TargetFamily::arm_neon: return "ARM NEON";
        case TargetFamily::other_cpu: return "other CPU";
        case TargetFamily::cuda: return "CUDA";
        case TargetFamily::opencl: return "OpenCL";
        case TargetFamily::other_gpu: return "other GPU";
    }
    return "?";
}

// The one place the defaults are chosen. Measured on the AVX-512 VM (2-core Xeon
// @ 2.1 GHz) where a comment names no other machine; the other CPU families keep the
// same values where nothing says otherwise (issue 13's tuner searches them per
// machine). The measurements behind them: docs/schedule-decisions.md.
Knobs default_knobs(TargetFamily family, int natural_lanes) {
    Knobs k;
    // Below 32 K elements one core finishes before a thread pool would wake up;
    // a parallel task covers 16 K elements at least, so tiny planes are batched.
    const int serial_elements = 32 * 1024, task_elements = 16 * 1024;
    k.elementwise = {natural_lanes, serial_elements, task_elements};
    k.plane_sum = k.elementwise;
    k.vector = {natural_lanes};
    // 8 outputs of a linear stage share each load of its input, their lanes added up
    // in 8 independent chains.
    // Measured 2026-11-22, AVX-512 Xeon: one serial chain of 16 adds per output took half of PRCM_SE at 1x128x4x4.
    k.modulator = {natural_lanes, serial_elements, task_elements, 8};
    // 8 output channels per convolution tile; planes of up to 256 pixels narrower than
    // a vector pool across channels.
    // Measured 2026-11-22, AVX-512 Xeon: at 16 x 16 a vector along W pooled 13% faster than across channels.
    k.adaptive_pool = {natural_lanes, serial_elements, task_elements, 8, 256};
    // Bottleneck register tiles: AVX-512 (and NEON) have 32 vector registers, where
    // 4 rows x 4 channels of accumulators leave room for the operands; AVX2 and SSE
    // have 16, which take 2 x 4. NEON keeps 2 until measured on ARM.
    // A strip of 8 rows per task at most. The padded input is staged per strip, k - 1
    // rows more than it covers, and it shares L2 with the 1x1 weights: at 16 rows a
    // strip of 1x128x64x64 took 811 KiB and the weights 256 KiB of the 1 MiB L2 (of
    // 1x64x256x256, 1.5 MiB alone). 8 rows copy (8 + 6) / 8 of the plane at k = 7.
    // Measured 2026-12-03, AMD EPYC VM, AVX-512, 1 thread, medians of 3 runs: 1x128x64x64 2-6% faster, 1x64x256x256 1% slower to 6% faster, 64x64 level.
    // Up to 2^20 multiply-adds on one core: 1x128x16x16 (about 18 million at r = 2) is not.
    // Measured 2026-11-22, AVX-512 Xeon: 1x128x16x16 r = 4, kept on one core by an element count, ran 2x faster on 2.
    // The padded input in vectors of 4 lanes: a wider vector that straddles the plane's
    // border loads its lanes one by one.
    // Measured 2026-11-22, AVX-512 Xeon: 16 lanes took 20% longer at W = 16, 8 lanes 15% longer at W = 8.
    // At the notebooks' k = 7 and widths 32 and 64 the padded rows are unrolled (the
    // gain shrinks with W: see schedules/inverted_bottleneck_cpu.cpp), and at the widths
    // of a network's stages on 224x224 images narrower than a vector (7, 14), where a
    // vector that straddles the border was otherwise gathered a lane at a time; and 28, 56
    // and 112, each in the one branch of the output that takes it (see the schedule). Each
    // width is a branch of the staging in every branch of the output that does not rule it
    // out: with those three ruled out by few (7 and 14 by every plane at least a vector
    // wide), the AVX-512 library's generator ran 25-27 minutes instead of 5.
    // Measured 2026-12-06, Intel Xeon VM, the bottleneck's generator for the AVX-512 target alone, 2 at once on 2 vCPUs, s: widths 32/64 304, 32/64/7 296, 32/64/7/14 296, 32/64/7/14/28 448, 32/64/56/112 over 660 (stopped), all seven over 1200 (stopped; 1493-1645 s in the build, the 3 targets).
    // Measured 2026-12-05, AMD EPYC VM, AVX-512, median of medians of 3 interleaved rounds, ms, 1 thread, 7 and 14 unrolled: 1x64x7x7 0.0313 -> 0.0257, 1x160x7x7 0.1437 -> 0.1295, 1x96x14x14 0.2084 -> 0.1912; 2 threads 1x160x7x7 0.0823 -> 0.0730, 1x96x14x14 0.1113 -> 0.1025; AVX2 library, 1 thread: 1x64x7x7 0.0460 -> 0.0271, 1x96x14x14 0.2234 -> 0.2039.
    // The depthwise tile is 8 rows tall where the register tile is 2: 8 chains of 49
    // FMAs overlap where 2 waited on each other's latency, and the chains of a tile
    // share its input rows. SSE and NEON take it unmeasured. AVX-512 too: at 4 rows
    // (its register tile) the 4 chains of 7 FMAs per column of taps just covered the
    // FMA's latency; `perf` at 1x64x256x256 put the depthwise loop at 18% of the samples
    // for 16% of the FLOPs. 16 rows (in 16-row strips) were 5-6% slower.
    // Measured 2026-12-02, AVX2 EPYC (Zen 3): 1.8-2.1x faster than 2 rows at 1x64x64x64, 1.1-1.8x at three other shapes.
    // Measured 2026-12-03, AMD EPYC VM, AVX-512, 1 thread, medians of 5: 8 rows against 4, 1x64x256x256 3.4% faster, 1x24x128x128 8%, 1x256x32x32 r = 4 2%, 16x16 to 64x64 level.
    // Planes from W = 32 that are not unrolled stage their rows a cache line a vector
    // (see the schedule). No software prefetch while staging, on every family: on Intel
    // (AVX-512 and AVX2 alike) it made planes of 96x96 and wider 8-22% slower (64x64
    // level); on AMD Zen 4 it had made 32x32 and wider 1-4% faster (and
    // 8x8, 16x16 1-1.5% slower), which `prcm tune` can bring back as 32. Figures in the
    // schedule and in docs/schedule-decisions.md ("No prefetch while staging").
    const int tile_rows = family == TargetFamily::avx512 ? 4 : 2;
    const int dw_rows = 8;  // every family (above)
    // Where H is a multiple of 16 (32 and more), AVX-512 takes depthwise tiles and strips of
    // 16 rows: 16 chains of taps in flight where 8 just covered the FMA's latency, and a strip
    // stages 16 + k - 1 rows for 16. Measured on the Intel Xeon VM only (AVX2 unmeasured: off);
    // figures in the schedule.
    const int tall_dw_rows = family == TargetFamily::avx512 ? 16 : 0;
    // Planes wider than a vector whose last vector would be half empty (56, 24, 65 on AVX-512)
    // take whole vectors, the last shifted inwards, not half-vector tiles: on the Intel Xeon VM
    // (two 512-bit FMA units) an 8-lane FMA takes a unit's slot for half its lanes, and the
    // half-vector tiles were 1.1-1.6x slower (1x64x56x56 1.579 -> 1.011 ms without them); on the
    // AMD EPYC VM, whose 512-bit FMA is two 256-bit halves, they had been 3-25% faster, which
    // `prcm tune` can bring back as 1. Figures in docs/schedule-decisions.md ("Half-vector tiles
    // on an Intel Xeon").
    // A sample of one strip splits its channel tiles across cores above 4 M multiply-adds
    // (see the schedule): below, one core was faster on the Intel Xeon VM, while on the AMD
    // EPYC VM 2 M was faster in long runs.
    // The flat twin on AVX-512 has a second register tile, 7 vectors by 3 channels (21
    // accumulators, 7 pixel vectors and a broadcast weight: 29 of the 32 registers), which a
    // call takes where it computes fewer pixels than 4-vector tiles would (a plane's last tile
    // is shifted inwards): 49 vectors at 28x28 in 7 tiles of 7, not 13 of 4. Figures in
    // docs/schedule-decisions.md ("The flat twin's wide tiles").
    // The channels twin: tiles of 28 pixels (14x14's 196 are 7 of them), register tiles of 4
    // pixels by 4 channel vectors (16 accumulators, 4 weight vectors and a broadcast), the
    // fastest at 1x64x14x14 r = 4 in a prototype: 0.1358 ms against 0.1387 (14 x 2), 0.1510
    // (6 x 4, 12 x 2) and 0.1387-0.1510 (7 x 3); 2 vectors on AVX2 and SSE's 16 registers
    // (unmeasured). Figures in docs/schedule-decisions.md ("The channels twin").
    k.bottleneck = {.lanes = natural_lanes,
                    .tile_rows = tile_rows,
                    .tile_channels = 4,
                    .dw_rows = dw_rows,
                    .strip_rows = 8,
                    .serial_macs = 1 << 20,
                    .channel_split_macs = 4 << 20,
                    .border_lanes = 4,
                    .unrolled_kernel_size = 7,
                    .unrolled_widths = {7, 14, 28, 32, 56, 64, 112},
                    .line_copy_min_width = 32,
                    .prefetch_min_width = 0,
                    .tall_dw_rows = tall_dw_rows,
                    .half_tail_tiles = 0,
                    .flat_wide_tile_rows = family == TargetFamily::avx512 ? 7 : 0,
                    .flat_wide_tile_channels = 3,
                    .channels_tile = 28,
                    .channels_tile_pixels = 4,
                    .channels_tile_vectors = family == TargetFamily::avx512 ? 4 : 2,
                    .channels_dw_pixels = 7};
    // GPUs: a warp (32 threads) along the contiguous axis; 32 x 8 tiles of a plane.
    // The bottleneck's blocks are 16 x 1 pixels, so 1x64x64x64 makes 256 blocks (one
    // kernel that fills the GPU) and a tile's C + C*r activations fit in shared memory
    // (12 KiB at C=64, r=2); 4 pixel threads x 32 channel groups = 128 threads, each
    // 4 pixels x 2 channels in registers (an activation load feeds 8 FMAs, a weight
    // load 4), and 32 x 2 = C=64 leaves no thread idle. CUDA and OpenCL share them:
    // only portable directives, proven on PoCL, not measured on a GPU. Its tiles take
    // at most 48 KiB of shared memory, what CUDA grants a block without an opt-in
    // (Halide's runtime makes none); a wider call (C=192, r=4) takes narrower tiles.
    k.gpu_elementwise = {32, 8};
    // The pools: strips of 16 rows give 4 x 64 = 256 blocks at 1x64x64x64, two per SM
    // of a 132-SM GPU; a block of 32 x 4 threads has each thread sum 4 rows of a
    // column, loads unrolled so that 4 are in flight. The modulators' output blocks
    // stream 16 rows too (256 blocks at 1x64x64x64), each finishing the pool and the
    // vectors first; the gap kernel finishes its pool with 256 channels per block.
    k.gpu_plane_sum = {32, 4, 16, 256};
    k.gpu_vector = {32};
    // An output block recomputes its sample's vectors (the mean of every channel and the
    // layers before the last): it takes as many channels as keep that at 4 multiply-adds
    // per element it streams at most (each reads a weight from L1/L2, 4 bytes, against
    // the 12 bytes an element moves to and from memory). At 1x64x64x64: one channel for
    // PRCM (512 per 1,024 elements), four for PRCM_SE (r = 4: 16,384), 64 blocks. At
    // 3x192x65x65 PRCM_SE with one channel a block recomputed 147,456 in each of 2,880 blocks.
    // Measured 2026-12-01, PoCL on the AMD EPYC VM: that shape ran about 21x faster with 36 channels a block (90 blocks).
    k.gpu_modulator = {32, 4, 16, 32, 8, 16, 4};
    // PRCM_AdaptivePool: a warp along a bin's columns (32 at 64 / ps = 2); 128 channels
    // per convolution block (C * r = 128 at C = 64, r = 2: one pass).
    k.gpu_adaptive_pool = {32, 128, 32, 8};
    k.gpu_bottleneck = {16, 1, 4, 32, 2, 48 * 1024};
    return k;
}

namespace {

struct Field {
    KnobInfo info;
    int *(*scalar)(Knobs &);
    std::vector<int> *(*list)(Knobs &);
};

constexpr int kMaxCount = 1 << 30;

// How `prcm tune` searches a knob (KnobInfo): the powers of two in [lo, hi], with 0 or not.
struct Search {
    int lo = 0, hi = 0;
    bool zero = false;
};
constexpr Search kNotSearched{};
constexpr Search powers(int lo, int hi) { return {lo, hi, false}; }
constexpr Search powers_or_zero(int lo, int hi) { return {lo, hi, true}; }
// The thresholds and task sizes of the CPU patterns, in elements.
constexpr Search kSerialSearch = powers_or_zero(1 << 12, 1 << 20);
constexpr Search kTaskSearch = powers(1 << 11, 1 << 18);

#define PRCM_KNOB(pattern, field, least, most, search, meaning)                                \
    Field {                                                                                    \
        {#pattern "." #field, meaning, least, most, false, search.lo, search.hi, search.zero}, \
            [](Knobs &k) { return &k.pattern.field; }, nullptr                                 \
    }
#define PRCM_LIST_KNOB(pattern, field, lo, hi, meaning)                                                  \
    Field {                                                                                              \
        {#pattern "." #field, meaning, lo, hi, true}, nullptr, [](Knobs &k) { return &k.pattern.field; } \
    }

const std::vector<Field> &fields() {
    static const std::vector<Field> table{
        PRCM_KNOB(elementwise, lanes, 1, 64, powers(4, 64), "floats per vector along W"),
        PRCM_KNOB(elementwise, serial_elements, 0, kMaxCount, kSerialSearch,
                  "a call of at most this many elements stays on one core"),
        PRCM_KNOB(elementwise, task_elements, 1, kMaxCount, kTaskSearch, "elements a parallel task covers at least"),
        PRCM_KNOB(plane_sum, lanes, 1, 64, powers(4, 64), "floats per vector along W"),
        PRCM_KNOB(plane_sum, serial_elements, 0, kMaxCount, kSerialSearch,
                  "a call of at most this many elements stays on one core"),
        PRCM_KNOB(plane_sum, task_elements, 1, kMaxCount, kTaskSearch, "elements a parallel task covers at least"),
        PRCM_KNOB(vector, lanes, 1, 64, powers(4, 64), "floats per vector along k"),
        PRCM_KNOB(modulator, lanes, 1, 64, powers(4, 64), "floats per vector"),
        PRCM_KNOB(modulator, serial_elements, 0, kMaxCount, kSerialSearch,
                  "a call of at most this many elements stays on one core"),
        PRCM_KNOB(modulator, task_elements, 1, kMaxCount, kTaskSearch, "elements a parallel task covers at least"),
        PRCM_KNOB(modulator, linear_rows, 1, 64, powers(1, 16), "outputs of a linear stage summed at once"),
        PRCM_KNOB(adaptive_pool, lanes, 1, 64, powers(4, 64), "floats per vector"),
        PRCM_KNOB(adaptive_pool, serial_elements, 0, kMaxCount, kSerialSearch,
                  "a call of at most this many elements stays on one core"),
        PRCM_KNOB(adaptive_pool, task_elements, 1, kMaxCount, kTaskSearch, "elements a parallel task covers at least"),
        PRCM_KNOB(adaptive_pool, conv_block, 1, 64, powers(1, 32), "output channels a convolution accumulates at once"),
        PRCM_KNOB(adaptive_pool, small_plane, 0, kMaxCount, powers_or_zero(16, 4096),
                  "planes of up to this many pixels pool across channels (narrower than a vector) and "
                  "interpolate a group of channels row by row (no wider than a vector)"),
        PRCM_KNOB(bottleneck, lanes, 2, 64, powers(4, 32), "floats per vector: a wide plane's tile width"),
        PRCM_KNOB(bottleneck, tile_rows, 1, 16, powers(1, 8), "rows of a wide plane's register tile"),
        PRCM_KNOB(bottleneck, tile_channels, 1, 32, powers(1, 8), "output channels of a wide plane's register tile"),
        PRCM_KNOB(
            bottleneck, dw_rows, 1, 64, powers(1, 16),
            "rows of a wide plane's depthwise tile (rounded down to a multiple of tile_rows, at most strip_rows)"),
        PRCM_KNOB(bottleneck, strip_rows, 1, 4096, powers(1, 64), "rows per parallel task at most"),
        PRCM_KNOB(bottleneck, serial_macs, 0, kMaxCount, powers_or_zero(1 << 16, 1 << 24),
                  "a call of at most this many multiply-adds stays on one core"),
        PRCM_KNOB(bottleneck, channel_split_macs, 0, kMaxCount, powers_or_zero(1 << 20, 1 << 24),
                  "a sample of one strip (a 4x4 plane on AVX-512) of more multiply-adds than this splits its "
                  "channel tiles across cores; at most, one core runs them"),
        PRCM_KNOB(bottleneck, border_lanes, 1, 64, powers(1, 16), "vector width of the staged, zero-padded input"),
        PRCM_KNOB(bottleneck, unrolled_kernel_size, 0, 63, kNotSearched,
                  "k whose taps and padded rows are unrolled (0: none)"),
        PRCM_LIST_KNOB(bottleneck, unrolled_widths, 1, 4096, "more plane widths whose padded rows are unrolled"),
        PRCM_KNOB(
            bottleneck, line_copy_min_width, 0, 4096, powers_or_zero(16, 256),
            "planes this wide or wider whose padded rows are not unrolled stage a 64-byte line per vector (0: none)"),
        PRCM_KNOB(bottleneck, prefetch_min_width, 0, 4096, powers_or_zero(16, 256),
                  "planes this wide or wider prefetch the next channel's rows as they stage the input (0: none)"),
        PRCM_KNOB(bottleneck, tall_dw_rows, 0, 64, powers_or_zero(8, 32),
                  "rows of a wide plane's depthwise tile and strip where H is a multiple of it and twice it or "
                  "more (rounded down to a multiple of tile_rows; 0: none)"),
        PRCM_KNOB(bottleneck, half_tail_tiles, 0, 1, powers_or_zero(1, 1),
                  "1: on 16 lanes, planes wider than a vector whose last vector would be half empty or more "
                  "(W % 16 in 1..8) take tiles half a vector wide (faster where a 512-bit FMA is two 256-bit "
                  "halves, AMD Zen 4; slower where it is one unit, Intel)"),
        PRCM_KNOB(bottleneck, flat_wide_tile_rows, 0, 16, kNotSearched,
                  "the flat twin's second register tile, in vectors of pixels, which a call takes where it "
                  "leaves fewer lanes idle than tile_rows (0: none)"),
        PRCM_KNOB(bottleneck, flat_wide_tile_channels, 1, 32, kNotSearched,
                  "output channels of the flat twin's second register tile"),
        PRCM_KNOB(bottleneck, channels_tile, 1, 1024, kNotSearched,
                  "the channels twin's tile: pixels whose hidden activations it keeps at once (at least "
                  "channels_tile_pixels and channels_dw_pixels)"),
        PRCM_KNOB(bottleneck, channels_tile_pixels, 1, 16, kNotSearched,
                  "pixels of the channels twin's 1x1 register tile"),
        PRCM_KNOB(bottleneck, channels_tile_vectors, 1, 16, kNotSearched,
                  "channel vectors of the channels twin's 1x1 register tile"),
        PRCM_KNOB(bottleneck, channels_dw_pixels, 1, 32, kNotSearched,
                  "pixels of the channels twin's depthwise register tile, by one channel vector"),
        PRCM_KNOB(gpu_elementwise, block_width, 1, 1024, powers(8, 256), "threads of a block along W"),
        PRCM_KNOB(gpu_elementwise, block_height, 1, 1024, powers(1, 32), "threads of a block along H"),
        PRCM_KNOB(gpu_plane_sum, pool_lanes, 1, 1024, powers(8, 128), "threads of a pool block along W"),
        PRCM_KNOB(gpu_plane_sum, pool_row_threads, 1, 1024, powers(1, 16),
                  "threads of a pool block along the rows of its strip"),
        PRCM_KNOB(gpu_plane_sum, pool_strip_rows, 1, 4096, powers(1, 64),
                  "rows of a pool block's strip, a multiple of pool_row_threads"),
        PRCM_KNOB(gpu_plane_sum, threads, 1, 1024, powers(32, 1024),
                  "threads of a block adding the partial sums, one per channel"),
        PRCM_KNOB(gpu_vector, threads, 1, 1024, powers(32, 256), "threads of a block along k"),
        PRCM_KNOB(gpu_modulator, pool_lanes, 1, 1024, powers(8, 128), "threads of a pool block along W"),
        PRCM_KNOB(gpu_modulator, pool_row_threads, 1, 1024, powers(1, 16),
                  "threads of a pool block along the rows of its strip"),
        PRCM_KNOB(gpu_modulator, pool_strip_rows, 1, 4096, powers(4, 64),
                  "rows of a pool block's strip, a multiple of pool_row_threads"),
        PRCM_KNOB(gpu_modulator, block_width, 1, 1024, powers(8, 128), "threads of an output block along W"),
        PRCM_KNOB(gpu_modulator, block_height, 1, 1024, powers(1, 32), "threads of an output block along H"),
        PRCM_KNOB(gpu_modulator, block_rows, 1, 4096, powers(4, 64),
                  "rows an output block streams, a multiple of block_height"),
        PRCM_KNOB(gpu_modulator, sample_macs_per_element, 1, kMaxCount, powers(1, 64),
                  "an output block's recomputed vectors: at most this many multiply-adds per element it streams"),
        PRCM_KNOB(gpu_adaptive_pool, pool_lanes, 1, 1024, powers(8, 128), "threads of a bin's block along W"),
        PRCM_KNOB(gpu_adaptive_pool, conv_threads, 1, 1024, powers(32, 512),
                  "threads of a convolution block, one per channel"),
        PRCM_KNOB(gpu_adaptive_pool, block_width, 1, 1024, powers(8, 128), "threads of an output block along W"),
        PRCM_KNOB(gpu_adaptive_pool, block_height, 1, 1024, powers(1, 32), "threads of an output block along H"),
        PRCM_KNOB(gpu_bottleneck, tile_width, 1, 1024, powers(4, 64), "pixels of a block along W"),
        PRCM_KNOB(gpu_bottleneck, tile_height, 1, 1024, powers(1, 8), "pixels of a block along H"),
        PRCM_KNOB(gpu_bottleneck, thread_pixels, 1, 64, powers(1, 8),
                  "adjacent pixels along W a thread computes (divides tile_width)"),
        // At most 64: the channel groups are a block's third thread dimension, which CUDA caps
        // at 64 (blockDim.z; NVIDIA's OpenCL likewise): on an H200 every tuning candidate of
        // 128 failed its launch with CUDA_ERROR_INVALID_VALUE (tuning/nvidia-h200.json).
        PRCM_KNOB(gpu_bottleneck, channel_groups, 1, 64, powers(8, 64), "threads of a block along the channels"),
        PRCM_KNOB(gpu_bottleneck, thread_channels, 1, 64, powers(1, 8),
                  "channels a thread computes at once, per channel group"),
        PRCM_KNOB(gpu_bottleneck, shared_bytes, 0, kMaxCount, kNotSearched,
                  "shared memory a block's tile may take; beyond it, tiles of thread_pixels x 1 pixels"),
    };
    return table;
}

#undef PRCM_KNOB
#undef PRCM_LIST_KNOB

// Adds `item` to a list written as text, `separator` between items.
void append(std::string &list, const char *separator, const std::string &item) {
    if (!list.empty()) list += separator;
    list += item;
}

std::string pattern_of(const std::string &knob) { return knob.substr(0, knob.find('.')); }

std::vector<std::string> split(const std::string &text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

bool parse_int(const std::string &text, int *value) {
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, *value);
    return !text.empty() && ec == std::errc() && ptr == end;
}

std::string pattern_knob_names(const std::string &pattern) {
    std::string names;
    for (const Field &f : fields()) {
        if (pattern_of(f.info.name) != pattern) continue;
        append(names, ", ", f.info.name);
    }
    return names;
}

// A GPU block holds at most 1024 threads on every backend the project targets.
bool check_blocks(const Knobs &k, const std::string &pattern, std::string *error) {
    auto block = [&](const std::string &name, int threads) {
        if (threads <= 1024) return true;
        *error = name + " is " + std::to_string(threads) + " threads; a GPU block holds at most 1024";
        return false;
    };
    if (pattern == "gpu_elementwise")
        return block("gpu_elementwise.block_width * block_height",
                     k.gpu_elementwise.block_width * k.gpu_elementwise.block_height);
    auto multiple = [&](const std::string &name, int rows, int threads) {
        if (rows % threads == 0) return true;
        *error = name + " is " + std::to_string(rows) + ", not a multiple of " + std::to_string(threads);
        return false;
    };
    // The pool kernel both gap and the modulators start with.
    auto pool = [&](const auto &p) {
        return block(pattern + ".pool_lanes * pool_row_threads", p.pool_lanes * p.pool_row_threads) &&
               multiple(pattern + ".pool_strip_rows", p.pool_strip_rows, p.pool_row_threads);
    };
    if (pattern == "gpu_plane_sum") return pool(k.gpu_plane_sum);
    if (pattern == "gpu_modulator")
        return pool(k.gpu_modulator) &&
               block("gpu_modulator.block_width * block_height",
                     k.gpu_modulator.block_width * k.gpu_modulator.block_height) &&
               multiple("gpu_modulator.block_rows", k.gpu_modulator.block_rows, k.gpu_modulator.block_height);
    if (pattern == "gpu_adaptive_pool")
        return block("gpu_adaptive_pool.block_width * block_height",
                     k.gpu_adaptive_pool.block_width * k.gpu_adaptive_pool.block_height);
    if (pattern == "gpu_bottleneck") {
        const GpuBottleneckKnobs &b = k.gpu_bottleneck;
        if (b.tile_width % b.thread_pixels != 0) {
            *error = "gpu_bottleneck.thread_pixels (" + std::to_string(b.thread_pixels) +
                     ") must divide gpu_bottleneck.tile_width (" + std::to_string(b.tile_width) + ")";
            return false;
        }
        // At most 1024^3 = 2^30: each factor's range is within [1, 1024].
        return block("gpu_bottleneck.tile_width / thread_pixels * tile_height * channel_groups",
                     b.tile_width / b.thread_pixels * b.tile_height * b.channel_groups);
    }
    return true;
}

}  // namespace

const std::vector<KnobInfo> &knob_table() {
    static const std::vector<KnobInfo> infos = [] {
        std::vector<KnobInfo> v;
        for (const Field &f : fields()) v.push_back(f.info);
        return v;
    }();
    return infos;
}

std::string format_knobs(const Knobs &knobs, const std::string &pattern) {
    Knobs copy = knobs;
    std::string text;
    for (const Field &f : fields()) {
        if (pattern_of(f.info.name) != pattern) continue;
        std::string value;
        if (f.scalar) {
            value = std::to_string(*f.scalar(copy));
        } else {
            for (int v : *f.list(copy)) append(value, "/", std::to_string(v));
        }
        append(text, ",", f.info.name + ":" + value);
    }
    return text;
}

KnobValues parse_knob_values(const std::string &overrides) {
    KnobValues values;
    if (overrides.empty()) return values;
    for (const std::string &item : split(overrides, ',')) {
        const size_t colon = item.find(':');
        values[item.substr(0, colon)] = colon == std::string::npos ? "" : item.substr(colon + 1);
    }
    return values;
}

std::string format_knob_values(const KnobValues &values) {
    // In knob_table() order, as format_knobs writes them, so that equal sets are equal strings.
    std::string text;
    std::set<std::string> written;
    for (const KnobInfo &k : knob_table()) {
        auto it = values.find(k.name);
        if (it == values.end()) continue;
        append(text, ",", k.name + ":" + it->second);
        written.insert(k.name);
    }
    for (const auto &[name, value] : values)
        if (!written.count(name)) append(text, ",", name + ":" + value);
    return text;
}

bool apply_knob_overrides(Knobs &knobs, const std::string &pattern, const std::string &overrides, std::string *error) {
    if (pattern_knob_names(pattern).empty()) {
        *error = "no schedule pattern is named '" + pattern + "'";
        return false;
    }
    if (overrides.empty()) return true;
    for (const std::string &item : split(overrides, ',')) {
        const size_t colon = item.find(':');
        const std::string name = item.substr(0, colon);
        const Field *field = nullptr;
        for (const Field &f : fields()) {
            if (f.info.name == name) field = &f;
        }
        if (colon == std::string::npos) {
            *error = "'" + item + "' is not <knob>:<value>";
            return false;
        }
        if (!field || pattern_of(name) != pattern) {
            *error = "'" + name + "' is not a knob of this library's schedule (" + pattern +
                     "); its knobs: " + pattern_knob_names(pattern);
            return false;
        }
        std::vector<int> values;
        const std::string written = item.substr(colon + 1);
        for (const std::string &text : field->list ? split(written, '/') : std::vector<std::string>{written}) {
            int value = 0;
            if (!parse_int(text, &value) || value < field->info.min || value > field->info.max) {
                *error = name + " must be " + (field->list ? "a '/'-joined list of integers" : "an integer") + " in [" +
                         std::to_string(field->info.min) + ", " + std::to_string(field->info.max) + "], not '" +
                         written + "'";
                return false;
            }
            values.push_back(value);
        }
        if (field->scalar) {
            *field->scalar(knobs) = values[0];
        } else {
            *field->list(knobs) = values;
        }
    }
    return check_blocks(knobs, pattern, error);
}

}  // namespace prcm
