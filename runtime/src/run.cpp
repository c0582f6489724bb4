#include "prcm/run.h"

#include "thread_pool.h"

#include <HalideRuntime.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>

namespace prcm {

namespace {

// Halide reports errors through a handler; keep the last message for the Status
// instead of letting the default handler print it.
std::mutex error_mutex;
std::string last_halide_error;

void capture_halide_error(void *, const char *msg) {
    std::lock_guard<std::mutex> lock(error_mutex);
    last_halide_error = msg ? msg : "";
    while (!last_halide_error.empty() && last_halide_error.back() == '\n') last_halide_error.pop_back();
}

// Installed once, when the runtime is loaded, so that every call (ours, or a
// generated function called directly) returns its error code with the message
// kept here, instead of Halide's default handler printing it and aborting.
const bool error_handler_installed = [] {
    halide_set_error_handler(capture_halide_error);
    return true;
}();

}  // namespace

std::string take_halide_error() {
    std::lock_guard<std::mutex> lock(error_mutex);
    std::string msg = last_halide_error;
    last_halide_error.clear();
    return msg;
}

namespace {

Status opencl_available() {
    void *lib = dlopen("libOpenCL.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!lib) lib = dlopen("libOpenCL.so", RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        return Status::unavailable(
            "no OpenCL here: libOpenCL.so.1 not found (apt-get install ocl-icd-libopencl1 pocl-opencl-icd)");
    }
    using GetPlatformIDs = int (*)(unsigned, void **, unsigned *);
    auto get_platforms = reinterpret_cast<GetPlatformIDs>(dlsym(lib, "clGetPlatformIDs"));
    unsigned platforms = 0;
    if (!get_platforms || get_platforms(0, nullptr, &platforms) != 0 || platforms == 0) {
        return Status::unavailable("no OpenCL platform here (apt-get install pocl-opencl-icd for one on the CPU)");
    }
    return Status::ok();
}

Status cuda_available() {
    void *lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        return Status::unavailable(
            "no CUDA device here: the NVIDIA driver (libcuda.so.1) is not installed; "
            "the cpu and opencl libraries need no driver");
    }
    using Init = int (*)(unsigned);
    using GetCount = int (*)(int *);
    auto init = reinterpret_cast<Init>(dlsym(lib, "cuInit"));
    auto get_count = reinterpret_cast<GetCount>(dlsym(lib, "cuDeviceGetCount"));
    int count = 0;
    if (!init || !get_count) {
        return Status::unavailable("no CUDA device here: libcuda.so.1 lacks cuInit/cuDeviceGetCount");
    }
    if (int err = init(0); err != 0) {
        return Status::unavailable("no CUDA device here: cuInit failed with CUDA error " + std::to_string(err));
    }
    if (get_count(&count) != 0 || count == 0) {
        return Status::unavailable("no CUDA device here: the driver is installed but reports no GPU");
    }
    return Status::ok();
}

// The planes at which the hand schedule hands a CPU call to the module's flat twin
// (registry.h's kFlatSchedule), where the bottleneck has one: planes wider than half a
// vector whose rows fill 84% of their vectors' lanes or less in the hand form (a row of 20
// fills 20 of 32), of a flat tile's 64 pixels or more. Their flat tiles fill nearly every
// lane; where the rows fill more (16, 48, 64 all of them), the hand form's depthwise tiles,
// which share the taps' loads between rows, were faster, and at 8 pixels or fewer its
// narrow and half-vector tiles (5x5: 0.86x, 4x4: 0.33x). Planes whose rows fill 87.5%
// (14, 28, 42, 56, 70, 84, 98) go flat too where C * r is 192 or more: the 1x1s are then
// most of the work, and the flat twin fills every lane of them (28 in its wide tiles of 7
// vectors by 3 channels, schedules/knobs.cpp) but 14's 196 pixels in 224; at C * r = 128
// it was level with the hand form (1x64x28x28 r = 2 0.3240 -> 0.3152, 56x56 1.274 ->
// 1.290, 1x32x56x56 r = 4 0.639 -> 0.651); 1x64x84x84 r = 4 6.2155 -> 5.4744. On the
// AVX-512 code only: the flat code of the other targets was not measured. Figures in
// docs/schedule-decisions.md ("The flat form", "The flat twin's wide tiles"), on the Intel
// Xeon VM and the AMD EPYC VM (two 256-bit halves a 512-bit FMA).
// Measured 2026-12-06, Intel Xeon VM, AVX-512, median of 3 interleaved rounds, ms, hand -> flat, 1 thread: 1x64x20x20 0.193 -> 0.143, 1x64x12x12 0.0725 -> 0.0631, 1x64x13x13 0.0842 -> 0.0640, 1x64x10x10 0.0763 -> 0.0430, 1x64x9x9 0.0769 -> 0.0438, 1x64x17x17 0.197 -> 0.102, 1x64x24x24 0.219 -> 0.182, 1x64x33x33 0.570 -> 0.361, 1x64x36x36 0.569 -> 0.417, 1x64x40x40 0.602 -> 0.504, 1x64x65x65 1.651 -> 1.419, 1x128x20x20 0.632 -> 0.453, 16x64x12x12 1.177 -> 1.017; not taken: 1x64x14x14 0.0679 -> 0.0800, 1x64x28x28 0.244 -> 0.260, 1x64x56x56 0.954 -> 0.999, 1x64x100x100 3.31 -> 3.37, 1x64x48x48 0.668 -> 0.728, 1x64x64x64 1.062 -> 1.332, 1x64x16x16 0.0669 -> 0.0817, 1x64x8x8 0.0208 -> 0.0228; 2 threads 1x64x20x20 0.125 -> 0.088, 1x64x40x40 0.364 -> 0.268, 1x64x24x24 0.147 -> 0.107, 1x64x9x9 0.0455 -> 0.0255, 1x64x12x12 and 1x64x13x13 level.
bool flat_form_faster(const TorchShape &x, int64_t hidden_channels) {
    constexpr int64_t kLanes = 16;
    constexpr int64_t kWideTilesMinHidden = 192;
    if (x.size() != 4 || cpu_target_selected().find("avx512") == std::string::npos) return false;
    const int64_t height = x[2], width = x[3];
    if (width <= kLanes / 2 || width * height < 4 * kLanes) return false;
    const int64_t lanes = (width + kLanes - 1) / kLanes * kLanes;
    if (width * 100 <= lanes * 84) return true;
    return width * 8 <= lanes * 7 && hidden_channels >= kWideTilesMinHidden;
}

// The planes at which the hand schedule hands a CPU call to the module's channels twin
// (registry.h's kChannelsSchedule) instead, on one thread: 9x9 to 14x14 (49 to 196 pixels
// whose rows fill part of a vector, not 8 wide: the hand form's whole-row tiles were faster
// there, 0.70x) where C is 48 or more and C * r 128 or more, and the planes of 49 to 80
// pixels where C * r is 512 or more. Their register tiles compute no pixel twice where the
// flat twin computes 14x14's 196 pixels as 224 and the hand form pads each row to a vector.
// Not on 2 threads (each task stages its rows and their halo: 1x64x14x14 r = 4 0.0800 ms the
// flat twin, 0.0877 the channels twin), not at 28x28 (0.96x on 1 thread), not C = 32 (1.00x)
// nor 7x7 at C * r = 128 (0.87x). On the AVX-512 code only.
// Measured 2026-12-07, AMD EPYC VM, AVX-512, 1 thread, median of 3 interleaved rounds, ms, hand -> channels: 1x64x14x14 r = 4 0.1559 -> 0.1428, r = 2 0.0915 -> 0.0873, 1x128x14x14 r = 2 0.3064 -> 0.2807, 1x96x14x14 r = 2 0.1821 -> 0.1697, 1x48x14x14 r = 4 0.0926 -> 0.0882, 4x64x14x14 r = 4 0.6221 -> 0.5738, 1x64x12x12 r = 4 0.1333 -> 0.1236, 1x64x10x10 r = 4 0.0896 -> 0.0833, 1x64x9x9 r = 4 0.0901 -> 0.0641, 1x128x7x7 r = 4 0.1603 -> 0.1478; not taken: 1x64x7x7 r = 4 0.0450 -> 0.0437, r = 2 0.0258 -> 0.0297, 1x32x7x7 r = 4 0.0137 -> 0.0166, 1x32x14x14 r = 4 0.0471 -> 0.0469, 1x64x8x8 r = 4 0.0447 -> 0.0638, 1x64x28x28 r = 4 0.5410 -> 0.5638; 2 threads 1x64x14x14 r = 4 0.0800 -> 0.0877, r = 2 0.0474 -> 0.0546, 1x128x14x14 r = 2 0.1555 -> 0.1677, 1x64x12x12 r = 4 0.0899 -> 0.0862, 1x128x7x7 r = 4 0.0828 -> 0.0788, 1x64x28x28 r = 4 0.3126 -> 0.2874.
bool channels_form_faster(const TorchShape &x, int64_t hidden_channels, int threads) {
    if (x.size() != 4 || threads != 1 || cpu_target_selected().find("avx512") == std::string::npos) return false;
    const int64_t channels = x[1], height = x[2], width = x[3], pixels = height * width;
    if (width % 8 == 0 || channels < 48 || pixels < 49 || pixels > 196) return false;
    return pixels >= 81 ? hidden_channels >= 128 : hidden_channels >= 512;
}

// Whether a (W, H, C, N) buffer's planes are each one run of W * H floats.
bool rows_contiguous(const halide_buffer_t &b) {
    return b.dimensions == 4 && b.dim[0].stride == 1 && (b.dim[1].stride == b.dim[0].extent || b.dim[1].extent == 1);
}

// Such a buffer viewed as (W * H, C, N), for a flat twin.
Status flat_view(const halide_buffer_t &b, halide_buffer_t *view, halide_dimension_t *dims) {
    if (!rows_contiguous(b)) {
        return Status::error(
            "the bottleneck's flat CPU library (which the hand schedule calls at this plane) needs each plane's "
            "rows contiguous: the stride along H must be W; pass dense tensors");
    }
    *view = b;
    dims[0] = {0, b.dim[0].extent * b.dim[1].extent, 1, 0};
    dims[1] = b.dim[2];
    dims[2] = b.dim[3];
    view->dimensions = 3;
    view->dim = dims;
    return Status::ok();
}

// A 1x1 conv's weight, torch [O, I, 1, 1], packed output channel innermost: torch [I, O],
// weight[o, i] at [i, o]. The channels twin takes its 1x1 weights so (as "<name>_packed"),
// reading a vector of output channels per input channel with one load.
Status pack_1x1_weight(const Tensor &weight, const std::string &name, Tensor *packed) {
    if (weight.dimensions() != 4 || weight.dim(0).extent() != 1 || weight.dim(1).extent() != 1) {
        return Status::error(name + " is not a 1x1 convolution's weight [O, I, 1, 1], which '" + name +
                             "_packed' packs");
    }
    const int inputs = weight.dim(2).extent(), outputs = weight.dim(3).extent();
    *packed = make_tensor({inputs, outputs});
    for (int i = 0; i < inputs; i++) {
        for (int o = 0; o < outputs; o++) (*packed)(o, i) = weight(0, 0, i, o);
    }
    return Status::ok();
}

// Lays out the argv list in the order the library's metadata declares: buffers by
// their Halide names, scalars from the module's hyper-parameters.
Status bind(PreparedCall &c) {
    const halide_filter_metadata_t *md = c.library->metadata();
    const ModuleSpec *spec = c.module ? c.module->spec : nullptr;
    // The packed weights a library asks for, made once here from the weights they pack.
    constexpr std::string_view kPacked = "_packed";
    for (int i = 0; i < md->num_arguments; i++) {
        const std::string name = md->arguments[i].name;
        if (name.size() <= kPacked.size() || !name.ends_with(kPacked)) continue;
        const std::string base = name.substr(0, name.size() - kPacked.size());
        for (auto it = c.arguments.begin(); it != c.arguments.end(); ++it) {
            if (argument_name(it->first) != base) continue;
            Tensor packed;
            if (Status s = pack_1x1_weight(it->second, it->first, &packed); !s) return s;
            c.arguments.insert_or_assign(it->first + kPacked.data(), std::move(packed));
            break;
        }
    }
    c.argv.assign(md->num_arguments, nullptr);
    c.scalars.assign(md->num_arguments, 0);
    for (int i = 0; i < md->num_arguments; i++) {
        const halide_filter_argument_t &arg = md->arguments[i];
        const std::string name = arg.name;
        if (name == "input") {
            c.input_slot = i;
            c.flat_pixels = arg.dimensions == 3;
        } else if (name == "output") {
            c.output_slot = i;
        } else if (name == "cpu_threads" && arg.kind == halide_argument_kind_input_scalar &&
                   arg.type.code == halide_type_int && arg.type.bits == 32) {
            c.threads_slot = i;
        } else if (name == "plane_width" && arg.kind == halide_argument_kind_input_scalar &&
                   arg.type.code == halide_type_int && arg.type.bits == 32) {
            c.width_slot = i;
        } else if (arg.kind == halide_argument_kind_input_scalar && spec && spec->scalar_argument &&
                   arg.type.code == halide_type_int && arg.type.bits == 32) {
            c.scalars[i] = spec->scalar_argument(name, c.hp);
            c.argv[i] = &c.scalars[i];
        } else {
            Tensor *found = nullptr;
            for (auto &[weight_name, tensor] : c.arguments) {
                if (argument_name(weight_name) == name) found = &tensor;
            }
            if (!found || arg.kind != halide_argument_kind_input_buffer) {
                return Status::error(std::string(c.library->function_name) + ": no value for argument '" + name +
                                     "' (the registry and the generator disagree)");
            }
            c.argv[i] = found->raw_buffer();
        }
    }
    if (c.input_slot < 0 || c.output_slot < 0) {
        return Status::error(std::string(c.library->function_name) + " has no 'input' or 'output' argument");
    }
    return Status::ok();
}

}  // namespace

Status device_available(Device d) {
    switch (d) {
        case Device::cpu: return Status::ok();
        case Device::opencl: return opencl_available();
        case Device::cuda: return cuda_available();
    }
    return Status::error("unknown device");
}

Status check_input(const ModuleSpec &spec, const Tensor &input) {
    const TorchShape shape = torch_shape(input);
    const size_t rank = module_input_shape(spec, {1, 1, 1, 1}, spec.defaults).size();
    if (shape.size() != rank) {
        return Status::error(std::string(spec.title) + " takes a " + std::to_string(rank) + "-D input" +
                             (rank == 4 ? " (NCHW)" : "") + ", got shape " + shape_string(shape));
    }
    for (int e : shape) {
        if (e <= 0) {
            return Status::error("input shape " + shape_string(shape) +
                                 " has a zero-sized dimension; every dimension must be at least 1");
        }
    }
    return Status::ok();
}

Status check_output(const ModuleSpec &spec, const HyperParams &hp, int channels, const Tensor &input,
                    const Tensor &output) {
    const TorchShape want = module_output_shape(spec, torch_shape(input), channels, hp);
    if (torch_shape(output) != want) {
        return Status::error("output shape " + shape_string(torch_shape(output)) + " is not " + spec.title +
                             "'s output shape " + shape_string(want) + " for input " +
                             shape_string(torch_shape(input)));
    }
    return Status::ok();
}

namespace {
Status check_device(const Library *lib, const char *what, Device device) {
    if (!lib) {
        return Status::unavailable(std::string(what) + " has no " + device_name(device) +
                                   " library in this build (configure with PRCM_BUILD_" +
                                   (device == Device::cuda ? "CUDA" : "OPENCL") + "=ON)");
    }
    return device_available(device);
}
}  // namespace

Status check_schedule(std::string_view schedule, Device device) {
    if (find_schedule(schedule)) return Status::ok();
    const std::string built = join(built_schedules(device));
    return Status::error("unknown schedule '" + printable(schedule) + "' (known: " + join(known_schedule_names()) +
                         "; built for " + device_name(device) + ": " + (built.empty() ? "none" : built) + ")");
}

Status find_library(const Module &module, Device device, std::string_view schedule, const Library **library) {
    *library = module.library(device, schedule);
    if (*library) return Status::ok();
    if (Status s = check_schedule(schedule, device); !s) return s;
    const std::string name = module.spec->name, dev = device_name(device);
    const ScheduleInfo *info = find_schedule(schedule);
    if (schedule == kHandSchedule) return check_device(nullptr, module.spec->name, device);
    if (schedule == kUntunedSchedule) {
        return Status::unavailable(name + " has no untuned twin on " + dev + ": only a library that a tuning record " +
                                   "tunes (-DPRCM_TUNING) keeps its hand knobs in one");
    }
    if (const FailedLibrary *f = module.failure(device, schedule)) {
        return Status::unavailable(std::string(f->function_name) + " did not compile: " + info->autoscheduler +
                                   " could not schedule " + name + ": " + f->error);
    }
    const std::string built = join(built_schedules(device));
    return Status::unavailable(name + " has no " + std::string(schedule) + " twin on " + dev +
                               " in this build (built on " + dev + ": " + (built.empty() ? "none" : built) + "; " +
                               info->autoscheduler + " schedules for " + device_name(info->device) +
                               ": configure with -DPRCM_AUTOSCHEDULERS=" + info->autoscheduler + ")");
}

Status copy_to_host(Device device, Tensor &output) {
    if (device != Device::cpu && output.raw_buffer()->device) {
        if (int err = output.copy_to_host(); err != 0) {
            return Status::failed("copying the result back from " + std::string(device_name(device)) +
                                  " failed (Halide error " + std::to_string(err) + "): " + take_halide_error());
        }
    }
    return Status::ok();
}

Status prepare_call(const Module &module, Device device, const Tensor &input, const Weights &weights,
                    const Tensor &output, PreparedCall *call, const HyperParams *given, std::string_view schedule) {
    const ModuleSpec &spec = *module.spec;
    call->module = &module;
    call->device = device;
    if (Status s = find_library(module, device, schedule, &call->library); !s) return s;
    if (Status s = device_available(device); !s) return s;
    // Halide's GPU runtimes keep a freed device buffer for the next call that needs
    // one of its size (a pool's partial sums, a tiled map) instead of allocating and
    // freeing it on every call: counted on PoCL, one allocation per call before, none
    // after the first call since (tests/gpu_allocations_test.py).
    if (device != Device::cpu) halide_reuse_device_allocations(nullptr, true);
    if (Status s = check_input(spec, input); !s) return s;
    call->hp = given ? *given : spec.defaults;
    const int channels = module_channels(spec, torch_shape(input), weights);
    if (Status s = check_weights(spec, channels, weights, &call->hp); !s) return s;
    if (Status s = check_output(spec, call->hp, channels, input, output); !s) return s;
    call->arguments = spec.library_arguments ? spec.library_arguments(weights, call->hp) : weights;
    if (device == Device::cpu && schedule == kHandSchedule && rows_contiguous(*input.raw_buffer()) &&
        rows_contiguous(*output.raw_buffer())) {
        const TorchShape x = torch_shape(input);
        const int64_t hidden = int64_t{channels} * call->hp.expansion;
        // The channels twin where it is faster, else the flat twin where that is: a build
        // without the first still takes the second.
        const Library *twin = nullptr;
        if (channels_form_faster(x, hidden, thread_pool_threads())) twin = module.library(device, kChannelsSchedule);
        if (!twin && flat_form_faster(x, hidden)) twin = module.library(device, kFlatSchedule);
        if (twin) call->library = twin;
    }
    // The arguments are this call's own copies: on a GPU their host values are
    // uploaded once, whatever the flags of the tensors they came from (a tensor
    // wrapping the user's memory is not marked dirty), and not again in a timed loop.
    if (device != Device::cpu) {
        for (auto &[name, tensor] : call->arguments) {
            if (!tensor.device_dirty()) tensor.set_host_dirty();
        }
    }
    return bind(*call);
}

Status call_prepared(const PreparedCall &c, const Tensor &input, Tensor &output) {
    install_thread_pool();
    // The slots are filled in a copy of the list, so that threads may share one
    // prepared call (the Python binding releases the GIL during a call).
    constexpr size_t kInline = 32;
    void *inline_args[kInline];
    std::vector<void *> heap_args;
    void **args = inline_args;
    if (c.argv.size() > kInline) {
        heap_args.resize(c.argv.size());
        args = heap_args.data();
    }
    std::copy(c.argv.begin(), c.argv.end(), args);
    args[c.input_slot] = const_cast<Tensor &>(input).raw_buffer();
    args[c.output_slot] = output.raw_buffer();
    // A flat twin's tensors: the same memory as (W * H, C, N), the plane's pixels in one run.
    halide_buffer_t flat_input, flat_output;
    halide_dimension_t flat_input_dims[3], flat_output_dims[3];
    int width = 0;
    if (c.flat_pixels) {
        if (Status s = flat_view(*input.raw_buffer(), &flat_input, flat_input_dims); !s) return s;
        if (Status s = flat_view(*output.raw_buffer(), &flat_output, flat_output_dims); !s) return s;
        args[c.input_slot] = &flat_input;
        args[c.output_slot] = &flat_output;
        width = input.raw_buffer()->dim[0].extent;
    }
    if (c.width_slot >= 0) args[c.width_slot] = &width;
    int threads = 0;
    if (c.threads_slot >= 0) {
        threads = thread_pool_threads();
        args[c.threads_slot] = &threads;
    }
    if (int err = c.library->argv(args); err != 0) {
        std::string msg = take_halide_error();
        std::ostringstream out;
        out << c.library->function_name << " failed (Halide error " << err << ")";
        if (!msg.empty()) out << ": " << msg;
        return Status::failed(out.str());
    }
    return Status::ok();
}

Status run_module(const Module &module, Device device, const Tensor &input, const Weights &weights, Tensor &output,
                  const HyperParams *given, std::string_view schedule) {
    PreparedCall c;
    if (Status s = prepare_call(module, device, input, weights, output, &c, given, schedule); !s) return s;
    // The host copy is the input unless the device holds newer data (a GPU result
    // passed on): without this, values written through data() after an earlier
    // call would be ignored in favour of the stale device copy.
    Tensor &in = const_cast<Tensor &>(input);
    if (device != Device::cpu && !in.device_dirty()) in.set_host_dirty();
    if (Status s = call_prepared(c, input, output); !s) return s;
    return copy_to_host(device, output);
}

Status prepare_copy(Device device, PreparedCall *call) {
    call->device = device;
    call->library = copy_library(device);
    if (Status s = check_device(call->library, "copy", device); !s) return s;
    return bind(*call);
}

Status run_copy(Device device, const Tensor &input, Tensor &output) {
    if (torch_shape(input).size() != 4 || torch_shape(output) != torch_shape(input)) {
        return Status::error("copy: input and output must be the same 4-D shape");
    }
    PreparedCall copy;
    if (Status s = prepare_copy(device, &copy); !s) return s;
    return call_prepared(copy, input, output);
}

Status device_sync(Device device, Tensor &output) {
    if (device == Device::cpu || !output.raw_buffer()->device) return Status::ok();
    if (int err = output.device_sync(); err != 0) {
        return Status::failed(std::string(device_name(device)) + " sync failed: " + take_halide_error());
    }
    return Status::ok();
}

void set_cpu_threads(int threads) {
    halide_set_num_threads(threads);  // Halide's own pool, for code that bypasses ours
    resize_thread_pool(threads);
}

bool tuned_here(const Library &library) {
    if (!library.tuning.record) return false;
    return library.device != Device::cpu || cpu_target_selected() == library.tuning.target;
}

std::string schedule_in_use(const Library &library) {
    if (library.schedule != std::string_view(kHandSchedule)) return library.schedule;
    const Tuning &t = library.tuning;
    if (!t.record) return kHandSchedule;
    if (!tuned_here(library)) {
        return std::string("hand (") + t.record + " tuned " + t.target + "; this CPU runs " + cpu_target_selected() +
               ")";
    }
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.2fx", t.ratio);
    return std::string("tuned by ") + t.record + " (trial " + std::to_string(t.trial) + ": " + ratio +
           " the hand schedule's time on " + t.target + ")";
}

}  // namespace prcm
